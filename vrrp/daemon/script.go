package daemon

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"goha/parser/keepalived"
)

// scriptRunner runs one vrrp_script every interval and reports its state
// changes to the instances tracking it, with keepalived 2.2.7's rise/fall
// counter (vrrp_track.c vrrp_script_child_thread): result counts from 0
// to rise+fall-1, the script is up while result >= rise.
type scriptRunner struct {
	cfg *keepalived.Script
	log *Logger

	mu   sync.Mutex
	subs map[*instance]struct{}
	up   *bool // nil until the first result

	result     int
	shown      int // result as last published under mu, for the SIGUSR1 dump
	lastStatus int
	stop       chan struct{}
	done       chan struct{}
}

func newScriptRunner(cfg *keepalived.Script, log *Logger) *scriptRunner {
	r := &scriptRunner{cfg: cfg, log: log, subs: map[*instance]struct{}{},
		stop: make(chan struct{}), done: make(chan struct{})}
	r.result = max(cfg.Rise-1, 0)
	if cfg.InitFail {
		r.result = 0
	}
	r.shown = r.result
	return r
}

// subscribe adds an instance; it gets the current state at once when
// the script already has a result.
func (r *scriptRunner) subscribe(in *instance) {
	r.mu.Lock()
	r.subs[in] = struct{}{}
	up := r.up
	r.mu.Unlock()
	if up != nil {
		in.scriptChanged(r.cfg.Name, *up)
	}
}

func (r *scriptRunner) unsubscribe(in *instance) {
	r.mu.Lock()
	delete(r.subs, in)
	r.mu.Unlock()
}

// start runs the script at once, then every interval.
func (r *scriptRunner) start() {
	go func() {
		defer close(r.done)
		t := time.NewTimer(0)
		defer t.Stop()
		for {
			select {
			case <-r.stop:
				return
			case <-t.C:
			}
			status, timedOut := r.runOnce()
			r.record(status, timedOut)
			t.Reset(r.cfg.Interval)
		}
	}()
}

func (r *scriptRunner) close() {
	close(r.stop)
	<-r.done
}

// runOnce runs the command with the script's timeout; it returns the
// exit status (-1 when it did not exit normally).
func (r *scriptRunner) runOnce() (status int, timedOut bool) {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.EffectiveTimeout())
	defer cancel()
	err := runCommand(ctx, r.cfg.Command)
	if ctx.Err() != nil {
		return -1, true
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, false
	case errors.As(err, &ee):
		return ee.ExitCode(), false
	}
	r.log.Printf("Failed to exec script %s: %v", r.cfg.Name, err)
	return 127, false
}

// record applies one result as keepalived does and tells subscribers
// when the up/down state changes (or on the first result).
func (r *scriptRunner) record(status int, timedOut bool) {
	name := r.cfg.Name
	if timedOut {
		r.log.Printf("VRRP_Script(%s) timed_out", name)
	} else if status != r.lastStatus {
		r.log.Printf("Script `%s` now returning %d", name, status)
		r.lastStatus = status
	}
	ok := status == 0 && !timedOut
	wasUp := r.result >= r.cfg.Rise
	r.mu.Lock()
	first := r.up == nil
	r.mu.Unlock()
	if ok {
		if r.result < r.cfg.Rise-1 {
			r.result++
		} else {
			if r.result < r.cfg.Rise || first {
				r.log.Printf("VRRP_Script(%s) succeeded", name)
			}
			r.result = r.cfg.Rise + r.cfg.Fall - 1
		}
	} else {
		if r.result > r.cfg.Rise {
			r.result--
		} else {
			// keepalived also reports the first result of a script
			// that fails from the start.
			if r.result >= r.cfg.Rise || first {
				if timedOut {
					r.log.Printf("VRRP_Script(%s) failed", name)
				} else {
					r.log.Printf("VRRP_Script(%s) failed (exited with status %d)", name, status)
				}
			}
			r.result = 0
		}
	}
	up := r.result >= r.cfg.Rise
	r.mu.Lock()
	r.shown = r.result
	// The first result only counts once the counter has decided: a
	// success below rise is still "not yet known".
	if first && ok && !up {
		r.mu.Unlock()
		return
	}
	changed := first || up != wasUp
	r.up = &up
	subs := make([]*instance, 0, len(r.subs))
	for in := range r.subs {
		subs = append(subs, in)
	}
	r.mu.Unlock()
	if changed {
		for _, in := range subs {
			in.scriptChanged(name, up)
		}
	}
}

// runCommand runs argv as keepalived runs scripts (startCommand) and
// waits for it, killing it when ctx ends.
func runCommand(ctx context.Context, argv []string) error {
	cmd, err := startCommand(argv)
	if err != nil {
		return err
	}
	return waitCommand(ctx, cmd)
}

// startCommand starts argv as keepalived runs scripts: executed directly
// (not through a shell), in its own process group so a timeout kills the
// script and its children; a script without a #! line runs under
// /bin/sh, as execvp does.
func startCommand(argv []string) (*exec.Cmd, error) {
	if len(argv) == 0 {
		return nil, errors.New("empty command")
	}
	cmd, err := startArgv(argv)
	if errors.Is(err, syscall.ENOEXEC) {
		cmd, err = startArgv(append([]string{"/bin/sh"}, argv...))
	}
	return cmd, err
}

func startArgv(argv []string) (*exec.Cmd, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = scriptEnv()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}

// waitCommand reaps cmd; when ctx ends first, it does what keepalived
// does at a script's timeout: SIGTERM to its group, SIGKILL 2 s later.
func waitCommand(ctx context.Context, cmd *exec.Cmd) error {
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		return err
	case <-ctx.Done():
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case err := <-waited:
			return err
		case <-time.After(2 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			return <-waited
		}
	}
}

// scriptEnv is the environment keepalived gives scripts: its own, with a
// PATH that finds the usual tools.
func scriptEnv() []string {
	env := os.Environ()
	for _, e := range env {
		if len(e) > 5 && e[:5] == "PATH=" {
			return env
		}
	}
	return append(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
}

// runNotify starts a notify script and reaps it in the background;
// keepalived does not wait for notify scripts either. The script is
// started before runNotify returns: started from a goroutine, the ones
// of a shutdown (notify_stop, the generic notify's STOP) raced the
// daemon's exit and sometimes never ran (TestVRRPNotify).
func runNotify(argv []string, log *Logger) {
	cmd, err := startCommand(argv)
	if err != nil {
		log.Printf("Failed to exec notify script %s: %v", argv[0], err)
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		waitCommand(ctx, cmd)
	}()
}
