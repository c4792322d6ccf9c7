package txn_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
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
		if err := testenv.SetOpenFileLimit(limit); err != nil {
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
	case "read-pairs": // args: "set", "reader" or "plain", reads, mixed pairs to stop at (0: none), a, b
		n, _ := strconv.Atoi(args[1])
		stopAt, _ := strconv.Atoi(args[2])
		readPairs(t, args[0], n, stopAt, args[3], args[4])
	case "read-in-flight": // args: paths: a read during a commit's renames
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		if _, err := txn.ReadSetContext(ctx, args...); !errors.Is(err, txn.ErrInFlight) {
			t.Fatalf("ReadSet during the renames: %v, want ErrInFlight", err)
		}
	case "read-set": // args: paths: prints the set as contents gives it, or the error
		files, err := txn.ReadSet(args...)
		if err != nil {
			fmt.Println("error:", err, errors.Is(err, txn.ErrReadsNotEnabled))
			return
		}
		fmt.Println(contents(files))
	case "plant": // args: path, content: a file another user makes
		if err := os.WriteFile(args[0], []byte(args[1]), 0o600); err != nil {
			t.Fatal(err)
		}
	case "plant-mark": // args: path: an empty file with a commit mark's mode (see marksIn)
		if err := os.WriteFile(args[0], nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(args[0], 0o744); err != nil {
			t.Fatal(err)
		}
	case "plant-dir": // args: directory, marker name: an empty directory with a marker-like file
		if err := os.Mkdir(args[0], 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(args[0], args[1]), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	case "rename": // args: from, to
		if err := os.Rename(args[0], args[1]); err != nil {
			t.Fatal(err)
		}
	case "remove": // args: path
		if err := os.Remove(args[0]); err != nil {
			t.Fatal(err)
		}
	case "symlink": // args: target, path
		if err := os.Symlink(args[0], args[1]); err != nil {
			t.Fatal(err)
		}
	case "mkdir": // args: path
		if err := os.Mkdir(args[0], 0o755); err != nil {
			t.Fatal(err)
		}
	case "hold-locks": // args: file or "", (seconds, path)...: holds an exclusive flock on each path (shared on "shared:PATH"), lets go of each that many seconds after it started; as the last goes, prints what file holds
		start := time.Now()
		var held []*os.File
		for i := 1; i+1 < len(args); i += 2 {
			path, shared := strings.CutPrefix(args[i+1], "shared:")
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			testenv.Flock(t, f, !shared)
			held = append(held, f)
		}
		fmt.Println("locked")
		for i, f := range held {
			secs, _ := strconv.ParseFloat(args[1+2*i], 64)
			time.Sleep(time.Until(start.Add(time.Duration(secs * float64(time.Second)))))
			if i == len(held)-1 && args[0] != "" {
				b, _ := os.ReadFile(args[0])
				fmt.Printf("%q\n", b)
			}
			f.Close()
		}
	case "plant-fifo": // args: path
		if err := testenv.Mkfifo(args[0]); err != nil {
			t.Fatal(err)
		}
	case "plant-sparse": // args: path, size
		size, _ := strconv.ParseInt(args[1], 10, 64)
		f, err := os.Create(args[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		f.Close()
	case "hold-lock": // args: directory; holds a shared flock on it until stdin closes
		f, err := os.Open(args[0])
		if err != nil {
			t.Fatal(err)
		}
		testenv.Flock(t, f, false)
		fmt.Println("locked")
		bufio.NewReader(os.Stdin).ReadString('\n')
	case "wait": // no args: says so and waits, in its working directory, until stdin closes
		fmt.Println("waiting")
		bufio.NewReader(os.Stdin).ReadString('\n')
	case "commit": // args: directory, names...: writes "new NAME" to each
		tx := txn.New()
		for _, n := range args[1:] {
			if err := tx.WriteString(filepath.Join(args[0], n), "new "+n); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	case "die-journal-dir": // args: root, journal dir; killed at the second rename
		s := setAt(args[0])
		tx := txn.New(txn.WithJournalDir(args[1]), txn.WithSeam(dieAt(protocol.StepRename.String(), 2)))
		s.stage(t, tx)
		tx.Commit()
		t.Fatal("the commit ran to its end: the kill point was never reached")
	case "overlap": // args: root, writer id, transactions
		id, _ := strconv.Atoi(args[1])
		n, _ := strconv.Atoi(args[2])
		for seq := range n {
			if err := commitOverlapping(overlapTargets(args[0]), id, seq); err != nil {
				t.Fatal(err)
			}
		}
	case "die", "die-remove", "die-noreplace", "die-version", "die-mkdir": // args: root, step, occurrence, sync strategy[, step to fail with EIO first]
		k, _ := strconv.Atoi(args[2])
		var opts []func(*protocol.Settings)
		if len(args) > 4 {
			var seen []protocol.Step
			opts = append(opts, failAt(stepNamed(args[4]), 3, &seen))
		}
		opts = append(opts, dieAt(args[1], k)) // after: it calls the hook before it
		s := setAt(args[0])
		txOpts := []txn.Option{txn.WithSeam(opts...)}
		for _, st := range syncStrategies {
			if st.name == args[3] {
				txOpts = append(txOpts, st.opts...)
			}
		}
		tx := txn.New(txOpts...)
		switch role {
		case "die-remove":
			s.stageRemoval(t, tx)
		case "die-noreplace":
			s.stageNoReplace(t, tx)
		case "die-version":
			s.stageVersioned(t, tx)
		case "die-mkdir":
			s.stageInNewDirs(t, tx)
		default:
			s.stage(t, tx)
		}
		tx.Commit()
		t.Fatal("the commit ran to its end: the kill point was never reached")
	case "die-moved": // args: root; stages the set, moves its first directory away, dies at the second rename
		s := setAt(args[0])
		tx := txn.New(txn.WithSeam(dieAt(protocol.StepRename.String(), 2)))
		s.stage(t, tx)
		if err := os.Rename(s.a, s.a+".moved"); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(s.a, 0o755); err != nil {
			t.Fatal(err)
		}
		tx.Commit()
		t.Fatal("the commit ran to its end: the kill point was never reached")
	case "hold": // args: root; stages the set, says so, commits on a line of input
		s := setAt(args[0])
		tx := txn.New()
		for _, p := range []string{s.x, s.y, s.z} {
			if err := tx.WriteString(p, "new "+filepath.Base(p)); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Println("staged")
		bufio.NewReader(os.Stdin).ReadString('\n')
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown child role %q", role)
	}
}
