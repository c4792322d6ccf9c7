//go:build windows

package sys

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows owners are SIDs. Stat_t tells them as uids, so that the
// protocol's owner rules read as on Unix: a file of the process's own user
// (its token's user, or the owner its token gives new files) has
// Geteuid's uid; a file of LocalSystem or of the Administrators group has
// root's, 0; any other owner, or one the caller may not read, has
// otherUID, which is no process's.
const (
	ownUID   = 1
	otherUID = 0xfffffffe
)

// Geteuid is 0 for a process whose new files belong to LocalSystem or the
// Administrators group (a service, an elevated administrator): root, whom
// the protocol's rules let act for other users. Any other process is
// ownUID.
func Geteuid() int { return int(token().euid) }

// Fchown cannot give a file another owner: Windows lets a process make
// only itself, or a group it belongs to, the owner. It fails with EPERM for
// any uid but the file's own, and ignores gid (Stat_t's Gid is always 0).
func Fchown(fd, uid, gid int) error {
	if uid == -1 {
		return nil
	}
	var st Stat_t
	if err := Fstat(fd, &st); err != nil {
		return err
	}
	if st.Uid != uint32(uid) {
		return EPERM
	}
	return nil
}

// ownerUID returns the uid of the owner of the file open on h (see above).
func ownerUID(h windows.Handle) uint32 {
	sd, err := windows.GetSecurityInfo(h, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return otherUID
	}
	sid, _, err := sd.Owner()
	if err != nil || sid == nil {
		return otherUID
	}
	t := token()
	switch {
	case t.user != nil && sid.Equals(t.user), t.owner != nil && sid.Equals(t.owner):
		return t.euid
	case isRootSID(sid):
		return 0
	}
	return otherUID
}

func isRootSID(sid *windows.SID) bool {
	return sid.IsWellKnown(windows.WinLocalSystemSid) || sid.IsWellKnown(windows.WinBuiltinAdministratorsSid)
}

// processToken is who the process is: its user, the owner it gives new
// files, and its uid.
type processToken struct {
	user, owner *windows.SID
	euid        uint32
}

// token reads the process's token once: it does not change while the
// process runs. A token that cannot be read makes no file the process's.
var token = sync.OnceValue(func() processToken {
	t := processToken{euid: ownUID}
	tok := windows.GetCurrentProcessToken()
	if u, err := tok.GetTokenUser(); err == nil {
		t.user, _ = u.User.Sid.Copy()
	}
	var n uint32
	windows.GetTokenInformation(tok, windows.TokenOwner, nil, 0, &n)
	if n > 0 {
		b := make([]byte, n)
		if windows.GetTokenInformation(tok, windows.TokenOwner, &b[0], n, &n) == nil {
			// A TOKEN_OWNER is one pointer, to a SID in the same buffer.
			t.owner, _ = (*struct{ Owner *windows.SID })(unsafe.Pointer(&b[0])).Owner.Copy()
		}
	}
	if t.owner != nil && isRootSID(t.owner) {
		t.euid = 0
	}
	return t
})
