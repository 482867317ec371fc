package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// debugGoroutinesEnv names a debug-only switch for leak tests: when
// GOHA_DEBUG_GOROUTINES=<path> is set, each SIGUSR2 makes goproxy write
// runtime.NumGoroutine() followed by "\n" to <path>, and the stacks of all
// goroutines (grouped, pprof debug=1 format) to <path>.stacks. The files
// are replaced atomically (written beside, then renamed). The path is
// resolved after chroot, if any. Without the variable SIGUSR2 does
// nothing, as with haproxy.
const debugGoroutinesEnv = "GOHA_DEBUG_GOROUTINES"

func debugGoroutinePath() string { return os.Getenv(debugGoroutinesEnv) }

func writeGoroutineDump(path string) {
	n := runtime.NumGoroutine()
	writeAtomic(path+".stacks", func(f *os.File) { pprof.Lookup("goroutine").WriteTo(f, 1) })
	writeAtomic(path, func(f *os.File) { fmt.Fprintf(f, "%d\n", n) })
}

func writeAtomic(path string, fill func(*os.File)) {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return
	}
	fill(f)
	if f.Close() == nil {
		os.Rename(tmp, path)
	}
}
