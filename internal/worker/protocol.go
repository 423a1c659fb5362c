package worker

// The protocol: gob-encoded messages, parent → worker on the worker's
// stdin, worker → parent on its stdout (nothing else in the worker may
// write there: its os.Stdout is pointed at stderr when it starts).
//
//	parent                               worker
//	hello {version, config}       →
//	                              ←      ready (the audit index is open)
//	task {party, input, manifest} →
//	                              ←      sign {manifest.json}
//	signed {signature}            →
//	                              ←      data {ciphertext} …
//	                              ←      done {result} | fail {error}
//	task …                        →
//	(stdin closed)                       exits 0
//
// A worker builds one party at a time and asks for the next only by
// answering the last; the parent signs a manifest only for the party and
// period of the task it gave that worker. Any break in this order, a
// decoding error or the end of the stream is the worker's death: the run
// fails and nothing is published. Stage paths, site inputs and device ids
// travel through the pipes and the private stage only.

import (
	"encoding/gob"
	"errors"
	"io"
)

type kind uint8

const (
	kindHello kind = iota + 1
	kindReady
	kindTask
	kindSign
	kindSigned
	kindData
	kindDone
	kindFail
)

var kindNames = map[kind]string{kindHello: "hello", kindReady: "ready", kindTask: "task", kindSign: "sign",
	kindSigned: "signed", kindData: "data", kindDone: "done", kindFail: "fail"}

func (k kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "unknown"
}

// message is every message of the protocol; Kind says which fields count.
type message struct {
	Kind    kind
	Version string  // hello: the parent's carport version; a worker of another refuses
	Config  *Config // hello
	Task    *Task   // task
	Data    []byte  // sign: manifest.json; signed: its signature; data: ciphertext
	Result  *Result // done
	Err     string  // fail
}

// conn is one end of a worker's pipes.
type conn struct {
	enc *gob.Encoder
	dec *gob.Decoder
}

func newConn(r io.Reader, w io.Writer) *conn {
	return &conn{enc: gob.NewEncoder(w), dec: gob.NewDecoder(r)}
}

func (c *conn) send(m *message) error { return c.enc.Encode(m) }

// recv reads the next message; the end of the stream is io.EOF.
func (c *conn) recv() (*message, error) {
	var m message
	if err := c.dec.Decode(&m); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, io.EOF
		}
		return nil, err
	}
	return &m, nil
}

// dataWriter sends what is written to it as data messages of up to
// chunkSize bytes.
type dataWriter struct {
	c   *conn
	buf []byte
}

const chunkSize = 256 << 10

func (w *dataWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), chunkSize-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		if len(w.buf) == chunkSize {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (w *dataWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	err := w.c.send(&message{Kind: kindData, Data: w.buf})
	w.buf = w.buf[:0]
	return err
}
