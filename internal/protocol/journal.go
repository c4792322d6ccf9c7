package protocol

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// The intent journal of a batch: written and made durable before the first
// rename, it is the commit point. A recovery that finds it (see Recover)
// finishes the renames that a crash interrupted, or, if the commit had
// turned back, finishes putting the old targets back.
//
// Format, version 1: text, one record a line, every name in Go's quoted
// form (so any bytes survive), and a checksum of everything before it last,
// so that a journal torn by a crash while it was written is recognised:
//
//	atomicwrite journal v1
//	state commit|rollback
//	entry "<directory>" "<name>" "<temp>" "<backup, or empty>"
//	...
//	end <CRC-32C of the bytes above, 8 hex digits>
const (
	journalMagic  = "atomicwrite journal v1"
	journalSuffix = ".aw-journal"
)

const (
	stateCommit   = "commit"   // finish every rename
	stateRollback = "rollback" // put every replaced target back
)

type journal struct {
	state   string
	entries []journalEntry
}

type journalEntry struct {
	dir, name, temp, backup string
}

var crc32c = crc32.MakeTable(crc32.Castagnoli)

func (j *journal) encode() []byte {
	b := make([]byte, 0, 64+len(j.entries)*128)
	b = append(b, journalMagic+"\nstate "...)
	b = append(b, j.state...)
	b = append(b, '\n')
	for _, e := range j.entries {
		b = append(b, "entry "...)
		b = strconv.AppendQuote(b, e.dir)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, e.name)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, e.temp)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, e.backup)
		b = append(b, '\n')
	}
	return fmt.Appendf(b, "end %08x\n", crc32.Checksum(b, crc32c))
}

var errTornJournal = errors.New("incomplete or damaged journal")

func decodeJournal(b []byte) (*journal, error) {
	i := bytes.LastIndex(b, []byte("\nend "))
	if i < 0 || !bytes.HasSuffix(b, []byte("\n")) {
		return nil, errTornJournal
	}
	if fmt.Sprintf("%08x", crc32.Checksum(b[:i+1], crc32c)) != strings.TrimSpace(string(b[i+5:])) {
		return nil, errTornJournal
	}
	j := &journal{}
	sc := bufio.NewScanner(bytes.NewReader(b[:i+1]))
	sc.Buffer(nil, 1<<20)
	for n := 0; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case n == 0:
			if line != journalMagic {
				return nil, fmt.Errorf("unknown journal version %q", line)
			}
		case strings.HasPrefix(line, "state "):
			j.state = strings.TrimPrefix(line, "state ")
		case strings.HasPrefix(line, "entry "):
			f, err := unquoteFields(strings.TrimPrefix(line, "entry "))
			if err != nil || len(f) != 4 {
				return nil, fmt.Errorf("bad journal entry %q", line)
			}
			j.entries = append(j.entries, journalEntry{f[0], f[1], f[2], f[3]})
		default:
			return nil, fmt.Errorf("bad journal line %q", line)
		}
	}
	if j.state != stateCommit && j.state != stateRollback {
		return nil, fmt.Errorf("bad journal state %q", j.state)
	}
	return j, nil
}

// unquoteFields splits a line of space-separated Go-quoted strings.
func unquoteFields(s string) ([]string, error) {
	var out []string
	for s != "" {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return nil, err
		}
		u, _ := strconv.Unquote(q)
		out = append(out, u)
		s = strings.TrimPrefix(s[len(q):], " ")
	}
	return out, nil
}

// A journalFile is the journal of one commit, in the directory dir.
type journalFile struct {
	dir  *Dir
	name string
	j    journal
}

// writeJournal makes the journal of entries durable in dir: the commit
// point. Every temp (and backup) must already be durable, names included,
// since a recovery will rename them.
func writeJournal(dir *Dir, entries []*Entry) (*journalFile, error) {
	jf := &journalFile{dir: dir, j: journal{state: stateCommit, entries: make([]journalEntry, 0, len(entries))}}
	paths := map[*Dir]string{}
	for _, e := range entries {
		path, ok := paths[e.Dir]
		if !ok {
			var err error
			if path, err = dirPath(e.Dir.fd); err != nil {
				return nil, err
			}
			paths[e.Dir] = path
		}
		jf.j.entries = append(jf.j.entries, journalEntry{path, e.Base, e.temp, e.backup})
	}
	name, err := writeDurably(dir, "txn", journalSuffix, jf.j.encode(), entries[0].settings.random)
	if err != nil {
		return nil, err
	}
	jf.name = name
	return jf, nil
}

// turnBack records, durably, that the commit is being undone: a crash from
// now on must lead to the old targets, not the new. The new journal is
// written under a temp name and renamed over the old one.
func (jf *journalFile) turnBack(random func() uint64) error {
	jf.j.state = stateRollback
	tmp, err := writeDurably(jf.dir, "txn", tempSuffix, jf.j.encode(), random)
	if err != nil {
		return err
	}
	if err := unix.Renameat(jf.dir.fd, tmp, jf.dir.fd, jf.name); err != nil {
		unix.Unlinkat(jf.dir.fd, tmp, 0)
		return err
	}
	return syncFD(jf.dir.fd)
}

// remove deletes the journal. It needs no fsync of its own: a journal that
// comes back after a crash only makes Recover redo what is already done.
func (jf *journalFile) remove() error {
	err := unix.Unlinkat(jf.dir.fd, jf.name, 0)
	if err == unix.ENOENT {
		err = nil
	}
	return err
}

// writeDurably creates a new file named from base and suffix in dir, holding
// data, and makes it and its name durable. It returns the name.
func writeDurably(dir *Dir, base, suffix string, data []byte, random func() uint64) (string, error) {
	for {
		name := randomName(base, suffix, random())
		fd, err := unix.Openat(dir.fd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if err == unix.EEXIST || err == unix.EINTR {
			continue
		}
		if err != nil {
			return "", err
		}
		err = writeAll(fd, data)
		if err == nil {
			err = syncFD(fd)
		}
		if cerr := unix.Close(fd); err == nil {
			err = cerr
		}
		if err == nil {
			err = syncFD(dir.fd)
		}
		if err != nil {
			unix.Unlinkat(dir.fd, name, 0)
			return "", err
		}
		return name, nil
	}
}

func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}
