package fsm

import (
	"reflect"
	"testing"
)

func actionStrings(acts []Action) []string {
	out := []string{}
	for _, a := range acts {
		if a.Kind == Log && a.Detail {
			continue
		}
		out = append(out, a.String())
	}
	return out
}

// TestSyncGate: a member whose timer expires while the group is not
// ready stays BACKUP wanting MASTER and re-arms a full master-down
// interval; once the gate opens it goes MASTER as usual.
func TestSyncGate(t *testing.T) {
	cfg := tutorialMaster()
	cfg.InitialState = Backup
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	open := false
	m.SetSyncGate(func() bool { return open })
	m.Start(t0)
	if m.WantState() != Backup {
		t.Fatalf("wantstate after start %v", m.WantState())
	}
	now := t0.Add(down100)
	if got := actionStrings(m.Timer(now)); len(got) != 0 {
		t.Errorf("blocked timeout acted: %q", got)
	}
	if m.State() != Backup || m.WantState() != Master {
		t.Errorf("blocked: state %v want %v", m.State(), m.WantState())
	}
	if d := m.Deadline().Sub(now); d != down100 {
		t.Errorf("blocked: re-armed for %v, want %v", d, down100)
	}
	open = true
	now = now.Add(down100)
	if got := actionStrings(m.Timer(now)); !reflect.DeepEqual(got, becomeMaster100) {
		t.Errorf("open gate: %q, want %q", got, becomeMaster100)
	}
}

// TestSyncForced: SyncMaster takes a BACKUP member to MASTER at once
// (the gate is not asked), SyncBackup takes it back without a priority-0
// advert; both leave other states alone.
func TestSyncForced(t *testing.T) {
	cfg := tutorialMaster()
	cfg.InitialState = Backup
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.SetSyncGate(func() bool { return false })
	m.Start(t0)
	now := t0.Add(sec)
	if got := actionStrings(m.SyncMaster(now)); !reflect.DeepEqual(got, becomeMaster100) {
		t.Errorf("SyncMaster: %q, want %q", got, becomeMaster100)
	}
	if m.State() != Master || m.Deadline().Sub(now) != sec {
		t.Errorf("SyncMaster: state %v deadline %v", m.State(), m.Deadline().Sub(now))
	}
	if got := actionStrings(m.SyncMaster(now)); len(got) != 0 {
		t.Errorf("SyncMaster on MASTER: %q", got)
	}
	now = now.Add(sec)
	if got := actionStrings(m.SyncBackup(now)); !reflect.DeepEqual(got, leaveToBackup) {
		t.Errorf("SyncBackup: %q, want %q", got, leaveToBackup)
	}
	if m.State() != Backup || m.WantState() != Backup || m.Deadline().Sub(now) != down100 {
		t.Errorf("SyncBackup: state %v want %v deadline %v", m.State(), m.WantState(), m.Deadline().Sub(now))
	}
	if got := actionStrings(m.SyncBackup(now)); len(got) != 0 {
		t.Errorf("SyncBackup on BACKUP: %q", got)
	}
	// FAULT through an own source stays FAULT.
	m.Down(now)
	if got := actionStrings(m.SyncBackup(now)); len(got) != 0 || m.State() != Fault {
		t.Errorf("SyncBackup on faulted member: %q, state %v", got, m.State())
	}
}
