package txn_test

import (
	"fmt"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
	"github.com/atomicwrite/atomicwrite/txn"
)

// TestChild is not a test: it is the body of the child processes that
// other tests start (see testenv.Child). In a normal run it returns at once.
func TestChild(t *testing.T) {
	role, args := testenv.ChildRole()
	switch role {
	case "":
		return
	case "many": // args: open-file limit, entries, directories...
		limit, _ := strconv.ParseUint(args[0], 10, 64)
		n, _ := strconv.Atoi(args[1])
		dirs := args[2:]
		rl := syscall.Rlimit{Cur: limit, Max: limit}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
			t.Fatal(err)
		}
		tx := txn.New()
		defer tx.Rollback()
		for i := range n {
			name := filepath.Join(dirs[i%len(dirs)], fmt.Sprintf("f%05d", i))
			if err := tx.WriteString(name, name); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	case "overlap": // args: root, writer id, transactions
		id, _ := strconv.Atoi(args[1])
		n, _ := strconv.Atoi(args[2])
		for seq := range n {
			if err := commitOverlapping(overlapTargets(args[0]), id, seq); err != nil {
				t.Fatal(err)
			}
		}
	default:
		t.Fatalf("unknown child role %q", role)
	}
}
