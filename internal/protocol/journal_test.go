//go:build unix

package protocol

import (
	"fmt"
	"hash/crc32"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// The journal's quoting shortcut writes exactly what strconv.AppendQuote
// writes, which is what the decoder unquotes.
func TestAppendQuoteMatchesStrconv(t *testing.T) {
	for _, s := range []string{
		"", "f0001", ".f0001.0123456789abcdef.aw-tmp", "/abs/dir with space", "~tilde",
		`quote"`, `back\slash`, "new\nline", "tab\t", "\x7f", "\xff", "é", "\x00",
	} {
		if got, want := string(appendQuote(nil, s)), strconv.Quote(s); got != want {
			t.Errorf("appendQuote(%q) = %s, want %s", s, got, want)
		}
	}
}

// A journal reads back as written: its own name and directory, directories
// by path and identity, shared between entries, names of every byte.
func TestJournalRoundTrip(t *testing.T) {
	a, b := fileID{1, 2}, fileID{1, 3}
	j := journal{state: stateCommit, self: journalEntry{dir: "/d/j", dirID: fileID{1, 4}, fsid: 9, name: randomName(journalBase, journalSuffix, 5), oldIno: 6}, entries: []journalEntry{
		{dir: "/d/a", dirID: a, name: "x", temp: TempName("x", 1), backup: TempName("x", 1), oldIno: 7, newIno: 10},
		{dir: "/d/a", dirID: a, name: "y\n\"z", temp: TempName("y\n\"z", 2), newIno: 11},
		{dir: "/d/b b", dirID: b, name: "w", temp: TempName("w", 3), backup: randomName("w", backupSuffix, 4), newIno: 12},
		{dir: "/d/b b", dirID: b, name: "v", backup: randomName("v", backupSuffix, 5), oldIno: 13, remove: true},
	}}
	got, err := decodeJournal(j.encode())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, j) {
		t.Errorf("read back\n%+v\nwant\n%+v", *got, j)
	}
}

// The bound on a journal's size leaves room for 10,000 entries with the
// longest names, each in a directory of its own with a 1 KiB path.
func TestJournalBound(t *testing.T) {
	name := strings.Repeat("n", nameMax)
	j := journal{state: stateCommit, self: journalEntry{dir: "/j", dirID: fileID{1, 1}, name: randomName(journalBase, journalSuffix, 1)}}
	for i := range 10000 {
		dir := "/" + strings.Repeat("d", 1000) + fmt.Sprint(i)
		j.entries = append(j.entries, journalEntry{dir: dir, dirID: fileID{1, uint64(i + 1)}, name: name,
			temp: TempName(name, uint64(i)), backup: randomName(name, backupSuffix, uint64(i)), oldIno: 1 << 40, newIno: 1 << 40})
	}
	if n := len(j.encode()); n > maxJournalSize {
		t.Errorf("10,000 entries take %d bytes, more than the bound %d", n, maxJournalSize)
	}
}

// A directory is the recorded one when its inode matches and so does its
// device, or, since device numbers change across mounts (btrfs gives each
// mount a new one), its filesystem's ID.
func TestSameDir(t *testing.T) {
	fd, err := sys.Open(t.TempDir(), sys.O_RDONLY|sys.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close(fd)
	var st sys.Stat_t
	sys.Fstat(fd, &st)
	d := &Dir{fd: fd, id: fileID{uint64(st.Dev), st.Ino}}
	here := sys.Fsid(fd)
	for _, tt := range []struct {
		name string
		e    journalEntry
		want bool
	}{
		{"same device and inode", journalEntry{dirID: d.id}, true},
		{"another inode", journalEntry{dirID: fileID{d.id.dev, d.id.ino + 1}, fsid: here}, false},
		{"new device, same filesystem", journalEntry{dirID: fileID{d.id.dev + 1, d.id.ino}, fsid: here}, here != 0},
		{"new device, another filesystem", journalEntry{dirID: fileID{d.id.dev + 1, d.id.ino}, fsid: here + 1}, false},
		{"new device, no filesystem ID", journalEntry{dirID: fileID{d.id.dev + 1, d.id.ino}}, false},
	} {
		if got := sameDir(&tt.e, d); got != tt.want {
			t.Errorf("%s: sameDir = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A journal must say where, under which name and as which file it was
// written: one that does not is refused, and one of an earlier format
// (which said none of it) is refused as such.
func TestJournalSelfRecord(t *testing.T) {
	self := journalEntry{dir: "/d", dirID: fileID{1, 2}, name: randomName(journalBase, journalSuffix, 7), oldIno: 9}
	good := journal{state: stateCommit, self: self, entries: []journalEntry{{dir: "/d", dirID: fileID{1, 2}, name: "x", temp: TempName("x", 1), newIno: 3}}}
	text := string(good.encode())
	body := text[:strings.LastIndex(text, "end ")]
	sealed := func(s string) []byte {
		return fmt.Appendf([]byte(s), "end %08x\n", crc32.Checksum([]byte(s), crc32c))
	}
	selfLine := fmt.Sprintf("journal 0 %q 9\n", self.name)
	for _, tt := range []struct {
		name, body string
		want       string
	}{
		{"no record of itself", strings.Replace(body, selfLine, "", 1), "no record of its own name"},
		{"two records", strings.Replace(body, selfLine, selfLine+selfLine, 1), "unexpected"},
		{"not a journal's name", strings.Replace(body, self.name, ".x.0000000000000001.aw-tmp", 1), "does not write"},
		{"no inode", strings.Replace(body, selfLine, fmt.Sprintf("journal 0 %q 0\n", self.name), 1), "bad inode"},
		{"no such directory", strings.Replace(body, selfLine, fmt.Sprintf("journal 3 %q 9\n", self.name), 1), "no such directory"},
		{"an earlier format", strings.Replace(body, "journal v6", "journal v5", 1), "earlier format"},
		{"no temp's inode", strings.Replace(body, `"" 0 3`, `"" 0`, 1), "bad inode"},
	} {
		_, err := decodeJournal(sealed(tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error saying %q", tt.name, err, tt.want)
		}
	}
	if _, err := decodeJournal(sealed(body)); err != nil {
		t.Errorf("the journal itself: %v", err)
	}
}
