package protocol

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// The intent journal of a batch: written and made durable before the first
// rename, it is the commit point. A recovery that finds it (see Recover)
// finishes the renames that a crash interrupted, or, if the commit had
// turned back, finishes putting the old targets back.
//
// Format, version 4: text, one record a line, every name in Go's quoted
// form (so any bytes survive), and a checksum of everything before it last,
// so that a journal torn by a crash while it was written is recognised:
//
//	atomicwrite journal v4
//	state commit|rollback
//	dir "<absolute path>" <device> <inode> <filesystem ID>
//	...
//	entry <index of its dir, from 0> "<name>" "<temp>" "<backup, or empty>" <old inode>[ noreplace][ unchanged]
//	remove <index of its dir> "<name>" "<backup>" <inode of the target removed>
//	...
//	end <CRC-32C of the bytes above, 8 hex digits>
//
// Entries and removals come in the batch's order. A directory is recorded
// by its identity as well as its path: a recovery refuses a path that leads
// to another directory now (see sameDir). A backup equal to the temp means
// the rename is an exchange (see commitBatch): the temp's name holds the new
// content before it and the old content, whose inode number the entry
// records, after it. A noreplace entry is create-only (see noreplace.go);
// an unchanged one is a compare-and-swap (see version.go).
// A removal moves its target aside to the backup name (see remove.go). Version 3 had no removals; version 2 wrote each entry's
// directory path in the entry, with no identity; version 1 also had no
// inode and never exchanged. Recover still reads them all.
const (
	journalMagic   = "atomicwrite journal v4"
	journalMagicV3 = "atomicwrite journal v3"
	journalMagicV2 = "atomicwrite journal v2"
	journalMagicV1 = "atomicwrite journal v1"
	journalSuffix  = ".aw-journal"
)

// maxJournalSize bounds a journal, for the writer and for Recover, which
// reads it whole: 10,000 entries with 255-byte names and temp names fit
// in a quarter of it, whatever their directories.
const maxJournalSize = 64 << 20

var errJournalTooLarge = fmt.Errorf("journal larger than %d bytes", maxJournalSize)

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
	dirID                   fileID // zero in versions 1 and 2
	fsid                    uint64 // the directory's filesystem's ID (statfs), or 0
	oldIno                  uint64 // the old target's, when backup == temp or remove
	remove                  bool   // a removal: no temp, the target moved aside to backup
	noReplace               bool   // create-only: never renamed over an existing file
	unchanged               bool   // compare-and-swap: renamed only over the old target
}

// swapped reports whether the entry's rename is an exchange.
func (e *journalEntry) swapped() bool { return e.backup != "" && e.backup == e.temp }

var crc32c = crc32.MakeTable(crc32.Castagnoli)

func (j *journal) encode() []byte {
	b := make([]byte, 0, 64+len(j.entries)*128)
	b = append(b, journalMagic+"\nstate "...)
	b = append(b, j.state...)
	b = append(b, '\n')
	index := make([]int, len(j.entries))
	var dirs []fileID
	for i, e := range j.entries {
		index[i] = slices.Index(dirs, e.dirID)
		if index[i] >= 0 {
			continue
		}
		index[i] = len(dirs)
		dirs = append(dirs, e.dirID)
		b = append(b, "dir "...)
		b = appendQuote(b, e.dir)
		b = fmt.Appendf(b, " %d %d %d\n", e.dirID.dev, e.dirID.ino, e.fsid)
	}
	for i, e := range j.entries {
		if e.remove {
			b = append(b, "remove "...)
		} else {
			b = append(b, "entry "...)
		}
		b = strconv.AppendInt(b, int64(index[i]), 10)
		b = append(b, ' ')
		b = appendQuote(b, e.name)
		b = append(b, ' ')
		if !e.remove {
			b = appendQuote(b, e.temp)
			b = append(b, ' ')
		}
		b = appendQuote(b, e.backup)
		b = append(b, ' ')
		b = strconv.AppendUint(b, e.oldIno, 10)
		if e.noReplace {
			b = append(b, " noreplace"...)
		}
		if e.unchanged {
			b = append(b, " unchanged"...)
		}
		b = append(b, '\n')
	}
	return fmt.Appendf(b, "end %08x\n", crc32.Checksum(b, crc32c))
}

// appendQuote appends s in Go's quoted form, as strconv.AppendQuote does,
// taking a shortcut for the common name that needs no escape.
func appendQuote(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
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
	version := 0
	var dirs []journalEntry // v3: the dir records, as entries with no name
	sc := bufio.NewScanner(bytes.NewReader(b[:i+1]))
	sc.Buffer(nil, maxJournalSize)
	for n := 0; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case n == 0:
			switch line {
			case journalMagicV1:
				version = 1
			case journalMagicV2:
				version = 2
			case journalMagicV3:
				version = 3
			case journalMagic:
				version = 4
			default:
				return nil, fmt.Errorf("unknown journal version %q", line)
			}
		case strings.HasPrefix(line, "state "):
			j.state = strings.TrimPrefix(line, "state ")
		case version >= 3 && strings.HasPrefix(line, "dir "):
			d, err := decodeDir(strings.TrimPrefix(line, "dir "))
			if err != nil {
				return nil, fmt.Errorf("bad journal line %q", line)
			}
			dirs = append(dirs, d)
		case strings.HasPrefix(line, "entry "), version >= 4 && strings.HasPrefix(line, "remove "):
			kind, fields, _ := strings.Cut(line, " ")
			e, err := decodeEntry(fields, version, dirs, kind == "remove")
			if err == nil {
				err = e.check(version)
			}
			if err != nil {
				return nil, fmt.Errorf("bad journal entry %q: %w", line, err)
			}
			j.entries = append(j.entries, e)
		default:
			return nil, fmt.Errorf("bad journal line %q", line)
		}
	}
	if j.state != stateCommit && j.state != stateRollback {
		return nil, fmt.Errorf("bad journal state %q", j.state)
	}
	return j, nil
}

// decodeDir reads a version 3 directory record: a quoted path, a device
// and an inode number.
func decodeDir(s string) (journalEntry, error) {
	f, rest, err := unquoteFields(s, 1)
	if err != nil {
		return journalEntry{}, err
	}
	var d journalEntry
	d.dir = f[0]
	if n, err := fmt.Sscanf(rest, "%d %d %d", &d.dirID.dev, &d.dirID.ino, &d.fsid); err != nil || n != 3 || d.dirID == (fileID{}) {
		return journalEntry{}, errors.New("bad directory identity")
	}
	return d, nil
}

// decodeEntry reads the fields of an entry line: from version 3 on the
// index of its directory, in versions 1 and 2 its quoted path; three quoted
// names (two for a removal: it has no temp); and from version 2 on an inode
// number.
func decodeEntry(s string, version int, dirs []journalEntry, remove bool) (journalEntry, error) {
	e := journalEntry{remove: remove}
	if version >= 3 {
		idx, rest, _ := strings.Cut(s, " ")
		k, err := strconv.Atoi(idx)
		if err != nil || k < 0 || k >= len(dirs) {
			return journalEntry{}, errors.New("no such directory")
		}
		e.dir, e.dirID, e.fsid, s = dirs[k].dir, dirs[k].dirID, dirs[k].fsid, rest
	} else {
		f, rest, err := unquoteFields(s, 1)
		if err != nil {
			return journalEntry{}, err
		}
		e.dir, s = f[0], rest
	}
	if remove {
		f, rest, err := unquoteFields(s, 2)
		if err != nil {
			return journalEntry{}, err
		}
		e.name, e.backup = f[0], f[1]
		if e.oldIno, err = strconv.ParseUint(rest, 10, 64); err != nil || e.oldIno == 0 {
			return journalEntry{}, errors.New("bad inode")
		}
		return e, nil
	}
	f, rest, err := unquoteFields(s, 3)
	if err != nil {
		return journalEntry{}, err
	}
	e.name, e.temp, e.backup = f[0], f[1], f[2]
	switch {
	case version == 1 && rest != "":
		return journalEntry{}, errors.New("extra fields")
	case version == 1:
		if e.swapped() {
			return journalEntry{}, errors.New("version 1 never exchanged")
		}
	default:
		if version >= 4 {
			rest, e.unchanged = strings.CutSuffix(rest, " unchanged")
			rest, e.noReplace = strings.CutSuffix(rest, " noreplace")
		}
		if e.oldIno, err = strconv.ParseUint(rest, 10, 64); err != nil {
			return journalEntry{}, err
		}
	}
	return e, nil
}

var errForeignName = errors.New("names a file the library does not write")

// check makes sure that the entry can only lead Recover to the library's
// own files: an absolute directory, a plain target name, and temp and
// backup names of the library's own pattern for that target.
func (e *journalEntry) check(version int) error {
	switch {
	case !filepath.IsAbs(e.dir):
		return fmt.Errorf("directory %q is not absolute: %w", e.dir, errForeignName)
	case !plainName(e.name):
		return fmt.Errorf("target %q: %w", e.name, errForeignName)
	case e.remove && !isNameOf(e.backup, e.name, backupSuffix):
		return fmt.Errorf("backup %q of %q: %w", e.backup, e.name, errForeignName)
	case e.remove:
	case !isNameOf(e.temp, e.name, tempSuffix):
		return fmt.Errorf("temp %q of %q: %w", e.temp, e.name, errForeignName)
	case e.backup != "" && !e.swapped() && !isNameOf(e.backup, e.name, backupSuffix):
		return fmt.Errorf("backup %q of %q: %w", e.backup, e.name, errForeignName)
	}
	return nil
}

// plainName reports whether name is one entry of a directory: not empty,
// not . or .., no slash, no NUL.
func plainName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00") && len(name) <= nameMax
}

// unquoteFields reads n space-separated Go-quoted strings from the start of
// s, and returns them and what follows.
func unquoteFields(s string, n int) ([]string, string, error) {
	var out []string
	for len(out) < n {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return nil, "", err
		}
		u, _ := strconv.Unquote(q)
		out = append(out, u)
		s = strings.TrimPrefix(s[len(q):], " ")
	}
	return out, s, nil
}

// A journalFile is the journal of one commit, in the directory dir.
type journalFile struct {
	dir  *Dir
	name string
	j    journal
}

// writeJournal makes the journal of entries durable in dir: the commit
// point. Every temp (and backup) must already be durable, names included,
// since a recovery will rename them. swap says the renames will exchange.
func writeJournal(dir *Dir, entries []*Entry, swap bool) (*journalFile, error) {
	jf := &journalFile{dir: dir, j: journal{state: stateCommit, entries: make([]journalEntry, 0, len(entries))}}
	for _, e := range distinctDirs(entries) {
		var err error
		if e.Dir.path, err = e.Dir.pathNow(); err != nil {
			return nil, err
		}
	}
	fsids := make(map[*Dir]uint64)
	for _, e := range distinctDirs(entries) {
		fsids[e.Dir] = fsid(e.Dir.fd)
	}
	for i, e := range entries {
		if e.remove {
			if e.Exists {
				jf.j.entries = append(jf.j.entries, journalEntry{dir: e.Dir.path, dirID: e.Dir.id, fsid: fsids[e.Dir],
					name: e.Base, backup: e.aside, oldIno: e.Stat.Ino, remove: true})
			}
			continue
		}
		je := journalEntry{dir: e.Dir.path, dirID: e.Dir.id, fsid: fsids[e.Dir], name: e.Base, temp: e.temp, backup: e.backup,
			noReplace: e.settings.NoReplace, unchanged: e.settings.HasExpect && e.Exists}
		if e.Exists {
			je.oldIno = e.Stat.Ino
			if e.exchanges(swap, i == len(entries)-1) {
				je.backup = e.temp
			}
		}
		jf.j.entries = append(jf.j.entries, je)
	}
	data := jf.j.encode()
	if len(data) > maxJournalSize {
		return nil, errJournalTooLarge
	}
	name, err := writeDurably(dir, "txn", journalSuffix, data, entries[0].settings.random)
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
	if err := sys.Renameat(jf.dir.fd, tmp, jf.dir.fd, jf.name); err != nil {
		sys.Unlinkat(jf.dir.fd, tmp, 0)
		return err
	}
	return syncFD(jf.dir.fd)
}

// remove deletes the journal. It needs no fsync of its own: a journal that
// comes back after a crash only makes Recover redo what is already done.
func (jf *journalFile) remove() error {
	err := sys.Unlinkat(jf.dir.fd, jf.name, 0)
	if err == sys.ENOENT {
		err = nil
	}
	return err
}

// writeDurably creates a new file named from base and suffix in dir, holding
// data, and makes it and its name durable. It returns the name.
func writeDurably(dir *Dir, base, suffix string, data []byte, random func() uint64) (string, error) {
	for try := 1; ; try++ {
		name := randomName(base, suffix, random())
		fd, err := sys.Openat(dir.fd, name, sys.O_WRONLY|sys.O_CREAT|sys.O_EXCL|sys.O_NOFOLLOW|sys.O_CLOEXEC, 0o600)
		if (err == sys.EEXIST || err == sys.EINTR) && try < maxNameTries {
			continue
		}
		if err == sys.EEXIST {
			return "", gaveUp(err)
		}
		if err != nil {
			return "", err
		}
		err = writeAll(fd, data)
		if err == nil {
			err = syncFD(fd)
		}
		if cerr := sys.Close(fd); err == nil {
			err = cerr
		}
		if err == nil {
			err = syncFD(dir.fd)
		}
		if err != nil {
			sys.Unlinkat(dir.fd, name, 0)
			return "", err
		}
		return name, nil
	}
}

func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := sys.Write(fd, b)
		if err == sys.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}
