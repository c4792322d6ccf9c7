package testenv

import (
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// GiveAway makes the files at paths belong to another user, as if that
// user had made them. Windows lets no process give a file to someone
// else; under wine, files are the host's, and the host's chown (run as the
// user the test runs as, root in CI) gives them to uid 65534, whom wine
// shows as the Anonymous SID. Elsewhere, or unless the test runs as the
// host's root, the test is skipped.
func GiveAway(t testing.TB, paths ...string) {
	t.Helper()
	unixName := windows.NewLazySystemDLL("kernel32.dll").NewProc("wine_get_unix_file_name")
	if !UnderWine() || unixName.Find() != nil {
		t.Skip("needs another user's file: made under wine by the host's chown")
	}
	for _, p := range paths {
		w, err := windows.UTF16PtrFromString(p)
		if err != nil {
			t.Fatal(err)
		}
		r, _, _ := unixName.Call(uintptr(unsafe.Pointer(w)))
		if r == 0 {
			t.Fatalf("no host path for %s", p)
		}
		host := windows.BytePtrToString(*(**byte)(unsafe.Pointer(&r)))
		// A host program that wine starts gives no handle to wait on: its
		// work is watched for instead.
		cmd, err := windows.UTF16PtrFromString(windows.ComposeCommandLine([]string{`Z:\bin\chown`, "65534:65534", host}))
		if err != nil {
			t.Fatal(err)
		}
		si := windows.StartupInfo{Cb: uint32(unsafe.Sizeof(windows.StartupInfo{}))}
		var pi windows.ProcessInformation
		if err = windows.CreateProcess(nil, cmd, nil, nil, false, 0, nil, nil, &si, &pi); err == nil {
			windows.CloseHandle(pi.Thread)
			windows.CloseHandle(pi.Process)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !othersFile(p) {
			if time.Now().After(deadline) {
				t.Skipf("the host's chown did not give %s away (%v): needs root on the host", p, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// othersFile reports whether the file at path belongs to neither the
// process's user nor root's SIDs (LocalSystem, the Administrators).
func othersFile(path string) bool {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return false
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return false
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	return err == nil && !owner.Equals(user.User.Sid) && !owner.IsWellKnown(windows.WinLocalSystemSid) && !owner.IsWellKnown(windows.WinBuiltinAdministratorsSid)
}

// UnderWine reports whether the test runs under wine.
func UnderWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
