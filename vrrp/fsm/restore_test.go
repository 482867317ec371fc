package fsm

import (
	"testing"
	"time"
)

// TestRestore: after a reload of a changed instance of the same virtual
// router, a MASTER stays MASTER without a transition line, an address
// change or a notify, and sends its advert at once (keepalived's
// reload_master); a BACKUP stays BACKUP silently with a full master-down
// timer; an instance that was in FAULT starts as at start-up.
func TestRestore(t *testing.T) {
	m, err := New(tutorialMaster())
	if err != nil {
		t.Fatal(err)
	}
	acts := m.Restore(t0, Master, true)
	for _, a := range acts {
		if a.Kind != Log || !a.Detail {
			t.Errorf("restored MASTER: unexpected action %v", a)
		}
	}
	if m.State() != Master || !m.VIPsSet() || !m.Deadline().Equal(t0) {
		t.Fatalf("restored MASTER: state %v, VIPs set %v, deadline %v", m.State(), m.VIPsSet(), m.Deadline())
	}
	acts = m.Timer(t0)
	if len(acts) != 1 || acts[0].Kind != SendAdvert || acts[0].Priority != 100 {
		t.Errorf("restored MASTER's first timer: %v, want one advert at priority 100", acts)
	}

	b, _ := New(tutorialBackup())
	if acts := b.Restore(t0, Backup, false); len(acts) != 0 {
		t.Errorf("restored BACKUP: actions %v, want none", acts)
	}
	if want := t0.Add(b.MasterDownInterval()); b.State() != Backup || !b.Deadline().Equal(want) || b.MasterDownInterval() < 3*time.Second {
		t.Errorf("restored BACKUP: state %v, deadline %v (want %v)", b.State(), b.Deadline(), want)
	}

	f, _ := New(tutorialBackup())
	f.Restore(t0, Fault, false)
	if f.State() != Backup {
		t.Errorf("after FAULT: state %v, want BACKUP as at start-up", f.State())
	}
}
