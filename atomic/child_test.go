package atomic_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"testing"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// childResult is what a child reports of its write on standard output.
type childResult struct {
	Err        string
	Path       string // the *fs.PathError's Path
	Permission bool   // errors.Is(err, fs.ErrPermission)
}

// TestChild is not a test: it is the body of the child processes that
// other tests start (see testenv.Child). In a normal run it returns at once.
func TestChild(t *testing.T) {
	role, args := testenv.ChildRole()
	switch role {
	case "":
		return
	case "write": // args: path, content
		var res childResult
		if err := atomic.WriteString(args[0], args[1]); err != nil {
			res.Err = err.Error()
			res.Permission = errors.Is(err, fs.ErrPermission)
			var pe *fs.PathError
			if errors.As(err, &pe) {
				res.Path = pe.Path
			}
		}
		json.NewEncoder(os.Stdout).Encode(res)
	case "hammer": // args: path, writer id, writes
		id, _ := strconv.Atoi(args[1])
		n, _ := strconv.Atoi(args[2])
		for seq := range n {
			if err := atomic.WriteFile(args[0], testenv.Payload(id, seq)); err != nil {
				t.Fatal(err)
			}
		}
	default:
		t.Fatalf("unknown child role %q", role)
	}
}
