package extract

import "unsafe"

// unsafePointer is the address of b's first byte (b must not be empty).
func unsafePointer(b []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }
