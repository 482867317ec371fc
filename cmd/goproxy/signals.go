package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"goha/parser/haproxy"
	"goha/proxy"
)

// waitSignals serves until a stop signal and returns the exit status.
// haproxy 2.6 standalone (management.txt §4 "Stopping and restarting
// HAProxy", measured with 2.6.12):
//   - SIGUSR1: soft stop — listeners close at once, connections in
//     progress finish (bounded by hard-stop-after), then exit 0;
//   - SIGTERM, SIGINT: the process dies of the signal at once;
//   - SIGTTOU/SIGTTIN: pause/resume the listeners (see below);
//   - SIGHUP: dumps server states to the logs; SIGQUIT: dumps memory
//     pools; SIGUSR2: nothing. None of them stops the process.
func waitSignals(e *proxy.Engine, cfg *haproxy.Config, logf func(level, format string, args ...any)) int {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP,
		syscall.SIGQUIT, syscall.SIGUSR2, syscall.SIGTTOU, syscall.SIGTTIN)
	goroutineDump := debugGoroutinePath()
	var drained chan struct{}
	for {
		select {
		case <-drained:
			return 0
		case sig := <-sigs:
			switch sig {
			case syscall.SIGUSR1:
				if drained != nil {
					continue
				}
				e.Close()
				limit := cfg.Global.HardStopAfter
				if limit == 0 {
					limit = 365 * 24 * time.Hour
				}
				drained = make(chan struct{})
				go func(done chan struct{}) {
					e.Wait(limit)
					close(done)
				}(drained)
			case syscall.SIGTERM, syscall.SIGINT:
				dieOf(sig.(syscall.Signal))
				return 0
			case syscall.SIGUSR2:
				if goroutineDump != "" {
					writeGoroutineDump(goroutineDump)
				}
			case syscall.SIGTTOU, syscall.SIGTTIN:
				// haproxy pauses its listeners on SIGTTOU (new connections
				// are refused, "Paused frontend fe.") and resumes them on
				// SIGTTIN ("Resumed frontend fe."). The signals are caught
				// in any case: their default action stops the process.
				pauseOrResume(e, sig == syscall.SIGTTOU, logf)
			}
			// SIGHUP, SIGQUIT: caught so that they neither stop the
			// process nor (SIGQUIT) make the Go runtime dump and exit.
		}
	}
}

// dieOf ends the process by sig, as haproxy does on SIGTERM/SIGINT (its
// parent sees "killed by signal", not an exit status): the handler is
// removed and the signal sent again.
func dieOf(sig syscall.Signal) {
	signal.Reset(sig)
	syscall.Kill(os.Getpid(), sig)
	// The signal is delivered asynchronously; do not return meanwhile.
	time.Sleep(time.Second)
	os.Exit(128 + int(sig))
}

// pauser is the engine's listener pause (SIGTTOU) and resume (SIGTTIN).
// It is looked up at run time so that this command builds against an
// engine that does not have it yet; without it the signals are ignored.
type pauser interface {
	Pause() error
	Resume() error
}

func pauseOrResume(e *proxy.Engine, pause bool, logf func(level, format string, args ...any)) {
	p, ok := any(e).(pauser)
	if !ok {
		return
	}
	var err error
	if pause {
		err = p.Pause()
	} else {
		err = p.Resume()
	}
	if err != nil {
		logf("alert", "%v", err)
	}
}
