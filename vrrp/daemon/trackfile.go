package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"goha/parser/keepalived"
)

// fileStatusFault is the status that puts an instance in FAULT.
const fileStatusFault = -254

// trackFileStatus is what a track_file contributes to an instance for the
// value read from the file (trackers/track_file.c
// process_update_vrrp_track_file_status): value × weight, negated by
// reverse, clamped to -254..253, where -254 means FAULT; with weight 0 a
// non-zero value is FAULT (a zero value with reverse).
func trackFileStatus(value, weight int, reverse bool) int {
	if weight == 0 {
		if (value != 0) != reverse {
			return fileStatusFault
		}
		return 0
	}
	s := value * weight
	if reverse {
		s = -s
	}
	return min(max(s, fileStatusFault), 253)
}

// readTrackFile reads the integer at the start of a track file; a
// missing or unreadable file, or one without a number, reads as 0.
func readTrackFile(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	s := strings.TrimSpace(string(b))
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || (end == 0 && (s[end] == '-' || s[end] == '+'))) {
		end++
	}
	v, err := strconv.Atoi(s[:end])
	if err != nil {
		return 0
	}
	return v
}

// initTrackFiles writes init_file values as keepalived does at start:
// create a missing file, or overwrite it with "overwrite" (never on a
// reload).
func initTrackFiles(files []*keepalived.TrackFile, reload bool, log *Logger) {
	for _, f := range files {
		if f.Init == keepalived.TrackFileNoInit {
			continue
		}
		st, err := os.Stat(f.Path)
		if err == nil {
			if f.Init == keepalived.TrackFileInitCreate || reload {
				continue
			}
			if !st.Mode().IsRegular() {
				log.Printf("Cannot initialise track file %s - it is not a regular file", f.Name)
				continue
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := os.WriteFile(f.Path, []byte(fmt.Sprintf("%d\n", f.InitValue)), 0o644); err != nil {
			log.Printf("Unable to initialise track file %s", f.Name)
		}
	}
}

// fileWatcher follows the track files as keepalived does, with inotify
// on their directories (so a file written, replaced by a rename, created
// or deleted is seen at once), plus a one-second poll in case inotify is
// unavailable, and tells the instances tracking a file when its value
// changes.
type fileWatcher struct {
	d    *Daemon
	mu   sync.Mutex
	path map[string]string // track_file name -> path
	last map[string]int
	stop chan struct{}
	done chan struct{}

	notify  *os.File // inotify descriptor; nil without inotify
	ifd     int      // its number, for inotify_add_watch (Fd() would make it blocking)
	watched map[string]bool
	poke    chan struct{}
}

func newFileWatcher(d *Daemon) *fileWatcher {
	w := &fileWatcher{d: d, path: map[string]string{}, last: map[string]int{},
		stop: make(chan struct{}), done: make(chan struct{}),
		watched: map[string]bool{}, poke: make(chan struct{}, 1)}
	if fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC); err == nil {
		w.notify, w.ifd = os.NewFile(uintptr(fd), "inotify"), fd
		go w.readEvents()
	}
	return w
}

// readEvents turns inotify events into pokes of the watcher loop.
func (w *fileWatcher) readEvents() {
	buf := make([]byte, 4096)
	for {
		if _, err := w.notify.Read(buf); err != nil {
			return
		}
		select {
		case w.poke <- struct{}{}:
		default:
		}
	}
}

// set replaces the watched files (start and reload).
func (w *fileWatcher) set(files []*keepalived.TrackFile) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.path = map[string]string{}
	for _, f := range files {
		w.path[f.Name] = f.Path
		if dir := filepath.Dir(f.Path); w.notify != nil && !w.watched[dir] {
			const mask = unix.IN_CLOSE_WRITE | unix.IN_MODIFY | unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_TO | unix.IN_MOVED_FROM
			if _, err := unix.InotifyAddWatch(w.ifd, dir, mask); err == nil {
				w.watched[dir] = true
			}
		}
		if _, ok := w.last[f.Name]; !ok {
			w.last[f.Name] = readTrackFile(f.Path)
		}
	}
}

// value returns the current value of a file (as last read).
func (w *fileWatcher) value(name string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last[name]
}

func (w *fileWatcher) run() {
	defer close(w.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
		case <-w.poke:
		}
		w.mu.Lock()
		changed := map[string]int{}
		for name, p := range w.path {
			v := readTrackFile(p)
			if v != w.last[name] {
				w.last[name] = v
				changed[name] = v
			}
		}
		w.mu.Unlock()
		if len(changed) == 0 {
			continue
		}
		for _, in := range w.d.snapshot() {
			for _, f := range in.spec.files {
				if v, ok := changed[f.name]; ok {
					in.fileChanged(f.name, v)
				}
			}
		}
	}
}

func (w *fileWatcher) close() {
	close(w.stop)
	<-w.done
	if w.notify != nil {
		w.notify.Close()
	}
}
