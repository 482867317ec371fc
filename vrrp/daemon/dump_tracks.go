package daemon

import (
	"fmt"
	"goha/parser/keepalived"
	"io"
	"os/user"
	"time"
)

// writeScripts writes the "VRRP Scripts" section (vrrp_data.c
// dump_vscript) for the vrrp_scripts that run (keepalived drops the
// ones no instance tracks).
func (d *Daemon) writeScripts(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	header := false
	for _, s := range d.cfg.Scripts {
		d.mu.Lock()
		r := d.scripts[s.Name]
		d.mu.Unlock()
		if r == nil {
			continue
		}
		if !header {
			p("------< VRRP Scripts >------")
			header = true
		}
		r.mu.Lock()
		known, result := r.up != nil, r.shown
		r.mu.Unlock()

		p(" VRRP Script = %s", s.Name)
		p("   Command = %s", cmdString(s.Command))
		p("   Interval = %d sec", int(s.Interval/time.Second))
		// keepalived shows the configured timeout, 0 when unset (the
		// interval then applies).
		p("   Timeout = %d sec", int(s.Timeout/time.Second))
		p("   Weight = %d%s", s.Weight, reverse(s.WeightReverse))
		p("   Rise = %d", s.Rise)
		p("   Fall = %d", s.Fall)
		p("   Result = %d", result)
		p("   Insecure = no")
		// keepalived names only its initial states; once the script
		// has reported it prints "unknown".
		init := "unknown"
		switch {
		case !known && s.InitFail:
			init = "INIT/FAILED"
		case !known:
			init = "INIT"
		}
		p("   Init state = %s", init)
		status := "BAD"
		if result >= s.Rise {
			status = "GOOD"
		}
		p("   Status = %s", status)
		uid, gid := scriptUser(s.User, s.Group, &d.cfg.Global)
		p("   Script uid:gid = %s:%s", uid, gid)
		p("   VRRP instances :")
		first := true
		for _, c := range d.cfg.Instances {
			for _, t := range c.TrackScripts {
				if t.Name != s.Name {
					continue
				}
				if first {
					p("   Tracking instances :")
					first = false
				}
				p("     %s, weight %d%s", c.Name, t.Weight, reverse(t.Reverse))
			}
		}
		p("   State = idle")
	}
}

// scriptUser resolves a script's user and group as keepalived shows
// them: the configured ones, else the default script user.
func scriptUser(name, group string, g *keepalived.Global) (string, string) {
	if name == "" {
		uid, gid, _ := defaultScriptUser(g)
		return uid, gid
	}
	u, err := user.Lookup(name)
	if err != nil {
		return "0", "0"
	}
	gid := u.Gid
	if group != "" {
		if grp, err := user.LookupGroup(group); err == nil {
			gid = grp.Gid
		}
	}
	return u.Uid, gid
}

// writeTrackFiles writes the "VRRP Track files" section
// (trackers/track_file.c dump_track_file) for the files an instance
// tracks.
func (d *Daemon) writeTrackFiles(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	header := false
	for _, f := range d.cfg.TrackFiles {
		type tracker struct {
			name    string
			weight  int
			reverse bool
		}
		var list []tracker
		for _, c := range d.cfg.Instances {
			for _, t := range c.TrackFiles {
				if t.Name == f.Name {
					list = append(list, tracker{c.Name, t.Weight, t.Reverse})
				}
			}
		}
		if len(list) == 0 {
			continue
		}
		if !header {
			p("------< VRRP Track files >------")
			header = true
		}
		value := readTrackFile(f.Path)
		if d.files != nil {
			value = d.files.value(f.Name)
		}
		p(" Track file = %s", f.Name)
		p("   File = %s", f.Path)
		p("   Status = %d", value)
		p("   Weight = %d%s", f.Weight, reverse(f.WeightReverse))
		p("   Tracking instances :")
		for _, t := range list {
			p("     %s, weight %d%s", t.name, t.weight, reverse(t.reverse))
		}
	}
}
