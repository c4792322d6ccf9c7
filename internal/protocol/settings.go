package protocol

import (
	"context"
	"fmt"
	"io/fs"
)

// An Option changes Settings: what every atomic.Option is. Apply is
// exported for package txn, which applies atomic's options to its entries,
// and it takes a type of this internal package: no code outside the module
// can call it.
type Option interface{ Apply(*Settings) }

// Apply applies o to s, if o is an Option (a nil one is not): the
// atomic.Option interface does not name the method, for godoc's sake.
func Apply(o any, s *Settings) {
	if o, ok := o.(Option); ok {
		o.Apply(s)
	}
}

// SettingsOf applies the options of lists, in order, to new Settings.
func SettingsOf[O any](lists ...[]O) Settings {
	var s Settings
	for _, l := range lists {
		for _, o := range l {
			s = applied(o, s)
		}
	}
	return s
}

// applied returns s with o applied. The Settings an option is given
// escape (to the option's method), so they are a copy: only a write with
// options allocates.
func applied(o any, s Settings) Settings {
	Apply(o, &s)
	return s
}

// Settings is what the caller's options decide for one entry.
//
// Inject, NamedTemps, LinkBackups, NoMarks and Random are test seams. The options
// of the public API (atomic.Option, txn.Option) are opaque interfaces and
// set none of them; only the test binaries' export_test.go files can.
type Settings struct {
	Mode    fs.FileMode // used when HasMode
	HasMode bool

	// Perm, when HasPerm and not HasMode, is a new file's permission bits
	// before the umask, as os.WriteFile takes them (0666 otherwise).
	Perm    fs.FileMode
	HasPerm bool

	// NoReplace makes the write create-only: it fails with fs.ErrExist if
	// the target exists, when staged or when committed.
	NoReplace bool

	// Mkdir makes the directories the target's path lacks, with mode
	// MkdirPerm less the umask (see mkdir.go).
	Mkdir     bool
	MkdirPerm fs.FileMode

	// Expect, when HasExpect, is the version the target must still have
	// when the write commits (see version.go).
	Expect    Version
	HasExpect bool

	// Context, when not nil, is the caller's: once it is done, Commit
	// refuses to pass the commit point.
	Context context.Context

	// Inject, when not nil, is called before each step of the protocol; a
	// non-nil result is treated as that step's system call failing with it.
	// It is the seam for tests that need a fault Linux cannot produce on
	// demand (an EIO from fsync, say). Commit may call it from several
	// goroutines at once.
	Inject func(Step) error

	// NamedTemps makes temp files named from the start even where they
	// could stay unnamed until needed: the seam that tests the fallback for
	// filesystems without O_TMPFILE.
	NamedTemps bool

	// LinkBackups makes a batch keep its undo copies as hard links made
	// before the commit point, as it does on filesystems that cannot
	// exchange two names: the seam that tests that way on filesystems that
	// can. A batch reads it from its first entry.
	LinkBackups bool

	// NoMarks makes a batch commit without its marks for consistent
	// readers (see commitmark.go): the seam that measures what they cost,
	// side by side. A batch reads it from its first entry.
	NoMarks bool

	// Random, when not nil, replaces the source of the random part of temp
	// and backup names: the seam for tests that plant files at the names a
	// write will try.
	Random func() uint64
}

// A Step names one system call of the protocol, for Settings.Inject.
type Step int

const (
	StepCreate     Step = iota // create the temp file
	StepWrite                  // write content to it
	StepChown                  // give it the target's owner
	StepChmod                  // give it its final mode
	StepName                   // link an unnamed temp file into its directory
	StepSync                   // fsync it
	StepClose                  // close it
	StepLink                   // hard-link a backup of the old target (batches)
	StepSyncStaged             // fsync the directories before the journal (batches)
	StepJournal                // write and fsync the intent journal (batches)
	StepRename                 // rename it over the target
	StepSyncDir                // fsync the target's directory
	StepUndo                   // put back one target a failed batch replaced
)

var stepNames = [...]string{"create", "write", "chown", "chmod", "name", "sync", "close", "link",
	"sync staged", "journal", "rename", "sync directory", "undo"}

func (s Step) String() string {
	if s < 0 || int(s) >= len(stepNames) {
		return fmt.Sprintf("Step(%d)", int(s))
	}
	return stepNames[s]
}

// modeBits are the fs.FileMode bits a written file may carry.
const modeBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// unixMode converts an fs.FileMode to the st_mode permission bits chmod takes.
func unixMode(m fs.FileMode) (uint32, error) {
	if m&^modeBits != 0 {
		return 0, fmt.Errorf("mode %v: only permission, setuid, setgid and sticky bits can be set: %w", m, fs.ErrInvalid)
	}
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		u |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		u |= 0o1000
	}
	return u, nil
}

// ModeOf converts chmod-style mode bits (at most 0o7777: permissions, setuid
// 0o4000, setgid 0o2000, sticky 0o1000) to an fs.FileMode, as WithMode
// takes it: the inverse of unixMode.
func ModeOf(bits uint32) fs.FileMode {
	m := fs.FileMode(bits & 0o777)
	if bits&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if bits&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if bits&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}
