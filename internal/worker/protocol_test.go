package worker

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

// TestLargeTaskTravelsInPieces sends a task several pieces long, then a
// message after it, and checks that both arrive whole.
func TestLargeTaskTravelsInPieces(t *testing.T) {
	r, w := io.Pipe()
	sender, receiver := newConn(nil, w), newConn(r, nil)
	task := &Task{Party: "SUPA", Recipients: "keys/SUPA.txt"}
	for i := range 200_000 {
		task.AlertDevices = append(task.AlertDevices, fmt.Sprintf("00-11-22-33-44-55-%05d", i))
	}
	sent := make(chan error, 1)
	go func() {
		err := sender.send(&message{Kind: kindTask, Task: task})
		if err == nil {
			err = sender.send(&message{Kind: kindSign, Data: []byte("next")})
		}
		sent <- err
	}()
	m, err := receiver.recv()
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != kindTask || m.Task == nil || m.Task.Party != "SUPA" || !slices.Equal(m.Task.AlertDevices, task.AlertDevices) {
		t.Fatalf("received task differs: kind %s, %d devices", m.Kind, len(m.Task.AlertDevices))
	}
	if m.size <= 3*chunkSize {
		t.Fatalf("the task took %d bytes: too small to travel in several pieces", m.size)
	}
	next, err := receiver.recv()
	if err != nil || next.Kind != kindSign || string(next.Data) != "next" {
		t.Fatalf("the message after the task: %v, %v", next, err)
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
}

// TestTaskInterruptedByAnotherMessage refuses a task whose pieces are cut
// by another kind of message.
func TestTaskInterruptedByAnotherMessage(t *testing.T) {
	r, w := io.Pipe()
	sender, receiver := newConn(nil, w), newConn(r, nil)
	go func() {
		sender.enc.Encode(&message{Kind: kindTask, Data: []byte("half a task"), More: true})
		sender.enc.Encode(&message{Kind: kindDone})
		w.Close()
	}()
	_, err := receiver.recv()
	if err == nil || !strings.Contains(err.Error(), "done inside a task") {
		t.Fatalf("got %v, want a protocol error naming the message inside the task", err)
	}
}
