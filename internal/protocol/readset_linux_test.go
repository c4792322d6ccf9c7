package protocol

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

func setCtime(st *sys.Stat_t, ns int64) { st.Ctim = unix.NsecToTimespec(ns) }

// A listing of a marks directory is held only if its change time was past
// at the stat before it (to the second, for a time of a whole second),
// and is used again only while the change time is the same: a directory
// changed in the tick of its stat could change again in that tick without
// a new change time.
func TestListingHeld(t *testing.T) {
	const sec = int64(time.Second)
	now := 1_800_000_000*sec + 500_000_000 // the clock at the stat
	for _, tc := range []struct {
		name  string
		ctime int64
		held  bool
	}{
		{"changed before the tick", now - 4_000_000, true},
		{"changed in the tick", now, false},
		{"changed after the clock read", now + 1, false},
		{"a whole second before", now - now%sec - sec, true},
		{"the whole second of the stat", now - now%sec, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "enabled"), nil, 0o644)
			fd, err := sys.Open(dir, sys.O_RDONLY|sys.O_DIRECTORY|sys.O_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			d := setDir{fd: -1, marks: fd, timesTell: true, statedAt: now}
			defer d.close()
			var st sys.Stat_t
			setCtime(&st, tc.ctime)
			if names, err := d.list(&st); err != nil || !slices.Equal(names, []string{"enabled"}) {
				t.Fatalf("list: %q, %v", names, err)
			}
			if held := d.listing != nil; held != tc.held {
				t.Errorf("listing held: %v, want %v", held, tc.held)
			}
			// A name made since, under the same change time: only a held
			// listing misses it, and another change time lists it.
			os.WriteFile(filepath.Join(dir, "idle-0"), nil, 0o644)
			names, _ := d.list(&st)
			if got := slices.Contains(names, "idle-0"); got == tc.held {
				t.Errorf("listed again under the same change time: %q (held %v)", names, tc.held)
			}
			setCtime(&st, tc.ctime+1)
			if names, _ := d.list(&st); !slices.Contains(names, "idle-0") {
				t.Errorf("listed under a new change time: %q, want idle-0 in it", names)
			}
		})
	}
}
