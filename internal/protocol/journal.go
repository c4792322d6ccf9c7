package protocol

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"strconv"
	"strings"
)

// The intent journal of a batch: durable before the first rename, it lets a
// recovery (see Recover) finish the renames that a crash interrupted, or,
// if the commit had turned back or no rename had happened, put the old
// targets back. Where a syncfs makes the temps durable, the journal is
// written before it, and made durable by it too (see prepare): so a
// journal whose renames never began may name temps that a power loss left
// torn, and the first rename, which only follows the syncfs, is the
// commit point. Each entry records its temp's inode, which the target
// holds once the rename is made.
//
// A batch writes it (writeJournal, in batch.go); a recovery reads it
// (decodeJournal, below).
//
// Format, version 6: text, one record a line, every name in Go's quoted
// form (so any bytes survive), and a checksum of everything before it last,
// so that a journal torn by a crash while it was written is recognised:
//
//	atomicwrite journal v6
//	state commit|rollback
//	dir "<absolute path>" <device> <inode> <filesystem ID>
//	...
//	journal <index of its own dir, from 0> "<its own name>" <its own inode>
//	entry <index of its dir> "<name>" "<temp>" "<backup, or empty>" <old inode> <temp's inode>[ noreplace][ unchanged]
//	remove <index of its dir> "<name>" "<backup>" <inode of the target removed>
//	...
//	end <CRC-32C of the bytes above, 8 hex digits>
//
// Entries and removals come in the batch's order. A directory is recorded by
// its identity as well as its path: a recovery refuses a path that leads to
// another directory now (see sameDir). The journal records where it was
// written, under which name, and its own inode: a copy, or a journal renamed
// or linked to another name, is not the live record of a transaction, and
// Recover never acts on it (see docs/security.md). A backup equal to the temp
// means the rename is an exchange (see commitBatch): the temp's name holds the
// new content before it and the old content, whose inode number the entry
// records, after it. A noreplace entry is create-only (see noreplace.go); an
// unchanged one is a compare-and-swap (see version.go). A removal moves its
// target aside to the backup name (see remove.go).
const (
	journalMagic  = "atomicwrite journal v6"
	journalPrefix = "atomicwrite journal v"
	journalSuffix = ".aw-journal"
	journalBase   = "txn" // journals are named randomName(journalBase, journalSuffix, …)
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
	self    journalEntry // the journal itself: dir, dirID and fsid; name; its inode in oldIno
	entries []journalEntry
}

type journalEntry struct {
	dir, name, temp, backup string
	dirID                   fileID
	fsid                    uint64 // the directory's filesystem's ID (statfs), or 0
	oldIno                  uint64 // the old target's, for every target that existed
	newIno                  uint64 // the temp's: the target's once renamed
	remove                  bool   // a removal: no temp, the target moved aside to backup
	noReplace               bool   // create-only: never renamed over an existing file
	unchanged               bool   // compare-and-swap: renamed only over the old target
}

// swapped reports whether the entry's rename is an exchange.
func (e *journalEntry) swapped() bool { return e.backup != "" && e.backup == e.temp }

var crc32c = crc32.MakeTable(crc32.Castagnoli)

var (
	errTornJournal = errors.New("incomplete or damaged journal")
	errOldJournal  = errors.New("journal of an earlier format, which does not record its own name: not replayed (finish it with the release that wrote it, or remove it)")
)

func decodeJournal(b []byte) (*journal, error) {
	i := bytes.LastIndex(b, []byte("\nend "))
	if i < 0 || !bytes.HasSuffix(b, []byte("\n")) {
		return nil, errTornJournal
	}
	if fmt.Sprintf("%08x", crc32.Checksum(b[:i+1], crc32c)) != strings.TrimSpace(string(b[i+5:])) {
		return nil, errTornJournal
	}
	j := &journal{}
	var dirs []journalEntry // the dir records, as entries with no name
	sc := bufio.NewScanner(bytes.NewReader(b[:i+1]))
	sc.Buffer(nil, maxJournalSize)
	for n := 0; sc.Scan(); n++ {
		line := sc.Text()
		var err error
		switch kind, fields, _ := strings.Cut(line, " "); {
		case n == 0 && line == journalMagic:
		case n == 0 && strings.HasPrefix(line, journalPrefix):
			return nil, errOldJournal
		case n == 0:
			return nil, fmt.Errorf("unknown journal version %q", line)
		case kind == "state":
			j.state = fields
		case kind == "dir":
			var d journalEntry
			d, err = decodeDir(fields)
			dirs = append(dirs, d)
		case kind == "journal" && j.self.name == "":
			j.self, err = decodeSelf(fields, dirs)
		case kind == "entry" || kind == "remove":
			var e journalEntry
			e, err = decodeEntry(fields, dirs, kind == "remove")
			if err == nil {
				err = e.check()
			}
			j.entries = append(j.entries, e)
		default:
			err = errors.New("unexpected")
		}
		if err != nil {
			return nil, fmt.Errorf("bad journal line %q: %w", line, err)
		}
	}
	switch {
	case j.state != stateCommit && j.state != stateRollback:
		return nil, fmt.Errorf("bad journal state %q", j.state)
	case j.self.name == "":
		return nil, errors.New("bad journal: no record of its own name")
	}
	return j, nil
}

// decodeDir reads a directory record: a quoted path, a device, an inode
// number and a filesystem ID.
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
	if !filepath.IsAbs(d.dir) {
		return journalEntry{}, fmt.Errorf("directory %q is not absolute: %w", d.dir, errForeignName)
	}
	return d, nil
}

// dirAt returns the directory record that the index idx names.
func dirAt(idx string, dirs []journalEntry) (journalEntry, error) {
	k, err := strconv.Atoi(idx)
	if err != nil || k < 0 || k >= len(dirs) {
		return journalEntry{}, errors.New("no such directory")
	}
	return dirs[k], nil
}

// decodeSelf reads the journal's record of itself: the index of its
// directory, its own name, which must be a journal's name, and its inode.
func decodeSelf(s string, dirs []journalEntry) (journalEntry, error) {
	idx, rest, _ := strings.Cut(s, " ")
	d, err := dirAt(idx, dirs)
	if err != nil {
		return journalEntry{}, err
	}
	f, rest, err := unquoteFields(rest, 1)
	switch {
	case err != nil:
		return journalEntry{}, err
	case !isNameOf(f[0], journalBase, journalSuffix):
		return journalEntry{}, fmt.Errorf("journal name %q: %w", f[0], errForeignName)
	}
	d.name = f[0]
	if d.oldIno, err = strconv.ParseUint(rest, 10, 64); err != nil || d.oldIno == 0 {
		return journalEntry{}, errors.New("bad inode")
	}
	return d, nil
}

// decodeEntry reads the fields of an entry line: the index of its
// directory; three quoted names (two for a removal: it has no temp); two
// inode numbers (one for a removal); and an entry's flags.
func decodeEntry(s string, dirs []journalEntry, remove bool) (journalEntry, error) {
	idx, s, _ := strings.Cut(s, " ")
	e, err := dirAt(idx, dirs)
	if err != nil {
		return journalEntry{}, err
	}
	e.remove = remove
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
	rest, e.unchanged = strings.CutSuffix(rest, " unchanged")
	rest, e.noReplace = strings.CutSuffix(rest, " noreplace")
	old, temp, _ := strings.Cut(rest, " ")
	if e.oldIno, err = strconv.ParseUint(old, 10, 64); err != nil {
		return journalEntry{}, err
	}
	if e.newIno, err = strconv.ParseUint(temp, 10, 64); err != nil || e.newIno == 0 {
		return journalEntry{}, errors.New("bad inode")
	}
	return e, nil
}

var errForeignName = errors.New("names a file the library does not write")

// check makes sure that the entry can only lead Recover to the library's
// own files: an absolute directory, a plain target name, and temp and
// backup names of the library's own pattern for that target.
func (e *journalEntry) check() error {
	switch {
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
