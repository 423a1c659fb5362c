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
//
// A task travels in pieces of at most chunkSize bytes (its own gob
// stream, cut up): a connection's gob buffers grow to its largest message
// and keep that size, so a large party's whole site input in one message
// held tens of megabytes in both processes for the rest of the run.

import (
	"encoding/gob"
	"errors"
	"fmt"
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
	Task    *Task   // task, as send takes it and recv returns it
	Data    []byte  // sign: manifest.json; signed: its signature; data: ciphertext; task: a piece
	More    bool    // task: more pieces follow
	Result  *Result // done
	Err     string  // fail

	size int // task: the bytes of its pieces (not sent: recv's count)
}

// conn is one end of a worker's pipes.
type conn struct {
	enc *gob.Encoder
	dec *gob.Decoder
}

func newConn(r io.Reader, w io.Writer) *conn {
	return &conn{enc: gob.NewEncoder(w), dec: gob.NewDecoder(r)}
}

func (c *conn) send(m *message) error {
	if m.Kind != kindTask || m.Task == nil {
		return c.enc.Encode(m)
	}
	// the task's own gob stream, in pieces with more to come, then an
	// empty last piece
	w := &dataWriter{c: c, kind: kindTask, more: true}
	if err := gob.NewEncoder(w).Encode(m.Task); err != nil {
		return err
	}
	if err := w.flush(); err != nil {
		return err
	}
	return c.enc.Encode(&message{Kind: kindTask})
}

// recv reads the next message (a task whole, decoded as its pieces
// arrive); the end of the stream is io.EOF.
func (c *conn) recv() (*message, error) {
	m, err := c.recvOne()
	if err != nil || m.Kind != kindTask {
		return m, err
	}
	r := &pieceReader{c: c, cur: m.Data, more: m.More, size: len(m.Data)}
	var t Task
	if err := gob.NewDecoder(r).Decode(&t); err != nil {
		if r.err != nil {
			return nil, r.err
		}
		return nil, fmt.Errorf("protocol: a task that does not decode: %w", err)
	}
	// what the decoder left: nothing but the last, empty piece
	for len(r.cur) == 0 && r.more {
		if err := r.next(); err != nil {
			return nil, err
		}
	}
	if len(r.cur) > 0 {
		return nil, errors.New("protocol: a task with bytes after its input")
	}
	return &message{Kind: kindTask, Task: &t, size: r.size}, nil
}

// pieceReader reads a task's pieces as one stream.
type pieceReader struct {
	c    *conn
	cur  []byte // what is left of the piece being read
	more bool   // more pieces follow it
	size int    // bytes of the pieces so far
	err  error  // the connection's failure, not the decoder's
}

func (r *pieceReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if !r.more {
			return 0, io.EOF
		}
		if err := r.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

func (r *pieceReader) next() error {
	m, err := r.c.recvOne()
	if err == nil && m.Kind != kindTask {
		err = fmt.Errorf("protocol: %s inside a task", m.Kind)
	}
	if err != nil {
		r.err = err
		return err
	}
	r.cur, r.more = m.Data, m.More
	r.size += len(m.Data)
	return nil
}

func (c *conn) recvOne() (*message, error) {
	var m message
	if err := c.dec.Decode(&m); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, io.EOF
		}
		return nil, err
	}
	return &m, nil
}

// dataWriter sends what is written to it as messages of up to chunkSize
// bytes: data messages (the ciphertext), or a task's pieces when kind is
// kindTask and more is set.
type dataWriter struct {
	c    *conn
	kind kind
	more bool
	buf  []byte
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
	err := w.c.send(&message{Kind: w.kind, Data: w.buf, More: w.more})
	w.buf = w.buf[:0]
	return err
}
