package cli

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interruptSignals end a run early: Ctrl-C, a polite kill, a closed
// terminal.
var interruptSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// onInterrupt returns a context that is cancelled by the first interrupt
// signal, after which onSignal runs (in its own goroutine) and the signals'
// default action is restored, so a second one ends the process at once
// (its stage folders are then left for the next run's sweep). sig names the
// signal received. stop releases the handler.
func onInterrupt(onSignal func()) (ctx context.Context, sig func() string, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, interruptSignals...)
	var mu sync.Mutex
	name := ""
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case s := <-ch:
			signal.Stop(ch)
			mu.Lock()
			name = signalName(s)
			mu.Unlock()
			cancel()
			if onSignal != nil {
				onSignal()
			}
		case <-quit:
		}
	}()
	sig = func() string {
		mu.Lock()
		defer mu.Unlock()
		if name == "" {
			return "a signal"
		}
		return name
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			signal.Stop(ch)
			close(quit)
			<-done
			cancel()
		})
	}
	return ctx, sig, stop
}

func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}
