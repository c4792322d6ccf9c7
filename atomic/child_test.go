package atomic_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/atomic"
	"github.com/atomicwrite/atomicwrite/internal/protocol"
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
	case "reader": // args: path, milliseconds: reads whole payloads in a loop
		ms, _ := strconv.Atoi(args[1])
		reads := 0
		for end := time.Now().Add(time.Duration(ms) * time.Millisecond); time.Now().Before(end); reads++ {
			b, err := testenv.ReadFile(args[0])
			if err != nil {
				t.Fatal(err)
			}
			if err := testenv.CheckPayload(b); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Println("reads", reads)
	case "lock-dir": // args: directory: locks it as Recover does, says so, holds it until stdin closes
		testenv.LockDir(t, args[0], true)
		fmt.Println("locked")
		io.Copy(io.Discard, os.Stdin)
	case "cas-held": // args: path: writes "child" expecting the file's version, saying "renaming" and waiting for stdin to close just before its rename
		v, err := atomic.Stat(args[0])
		if err != nil {
			t.Fatal(err)
		}
		pause := atomic.WithSeam(func(s *protocol.Settings) {
			s.Inject = func(step protocol.Step) error {
				if step == protocol.StepRename {
					fmt.Println("renaming")
					io.Copy(io.Discard, os.Stdin)
				}
				return nil
			}
		})
		if err := atomic.WriteString(args[0], "child", atomic.WithVersion(v), pause); err != nil {
			t.Fatal(err)
		}
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
	case "plant": // args: path, content, octal mode: a file another user makes
		mode, _ := strconv.ParseUint(args[2], 8, 32)
		f, err := os.OpenFile(args[0], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(args[1])
		if err := f.Chmod(protocol.ModeOf(uint32(mode))); err != nil {
			t.Fatal(err)
		}
		f.Close()
	case "write-mode": // args: path, content, octal mode
		mode, _ := strconv.ParseUint(args[2], 8, 32)
		var res childResult
		if err := atomic.WriteString(args[0], args[1], atomic.WithMode(protocol.ModeOf(uint32(mode)))); err != nil {
			res.Err = err.Error()
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
	case "swapper": // args: shared dir, victim dir, stop file
		swaps := swap(t, args[0], args[1], args[2])
		fmt.Printf("%d swaps\n", swaps)
	case "linkswapper": // args: shared dir, victim file, stop file
		swaps := swapLinks(args[0], args[1], args[2])
		fmt.Printf("%d swaps\n", swaps)
	case "snooper": // args: dir, stop file
		seen, opened := snoop(args[0], args[1])
		json.NewEncoder(os.Stdout).Encode(map[string]int{"Seen": seen, "Opened": opened})
	default:
		t.Fatalf("unknown child role %q", role)
	}
}

// untilStopped calls step until stop exists, or a minute has passed, so
// that an attacker always ends; checking for stop every 16 steps. It
// returns how many steps it made.
func untilStopped(stop string, step func()) int {
	deadline := time.Now().Add(time.Minute)
	n := 0
	for ; time.Now().Before(deadline); n++ {
		if n%16 == 0 {
			if _, err := os.Stat(stop); err == nil {
				break
			}
		}
		step()
	}
	return n
}

// swap is the attacker of TestSwapAttack: it keeps swapping its own
// directory shared/sub for a symlink to victim, and back, until stop exists.
func swap(t *testing.T, shared, victim, stop string) int {
	sub := filepath.Join(shared, "sub")
	real := filepath.Join(shared, "sub.real")
	if err := os.Mkdir(sub, 0o777); err != nil {
		t.Fatal(err)
	}
	return untilStopped(stop, func() {
		os.Rename(sub, real)
		os.Symlink(victim, sub)
		os.Remove(sub)
		os.Rename(real, sub)
	})
}

// swapLinks is the attacker of TestLinkSwapAttack: it keeps swapping the
// link shared/target with its own link to victim (in one step where the
// system can, else by renaming the first away and back), until stop exists.
func swapLinks(shared, victim, stop string) int {
	link := filepath.Join(shared, "target")
	mine := filepath.Join(shared, "mine")
	aside := filepath.Join(shared, "target.aside")
	os.Symlink(victim, mine)
	return untilStopped(stop, func() {
		if testenv.Exchange(link, mine) == nil {
			return
		}
		os.Rename(link, aside)
		os.Symlink(victim, link)
		os.Rename(aside, link)
	})
}

// snoop is the attacker of TestTempNotReadableByOthers: it keeps trying to
// open every dot-file in dir until stop exists.
func snoop(dir, stop string) (seen, opened int) {
	untilStopped(stop, func() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), ".") {
				continue
			}
			seen++
			if f, err := os.Open(filepath.Join(dir, e.Name())); err == nil {
				opened++
				f.Close()
			}
		}
	})
	return seen, opened
}
