package main

import (
	"runtime/debug"
	"strings"
)

// versionText is what --version prints: the module version the binary was
// built from (go install …@v1.2.3 prints v1.2.3), or, for a build from a
// checkout, that it is a development build and, where the build recorded
// it, of which commit.
func versionText(info *debug.BuildInfo, ok bool) string {
	if !ok || info.Main.Version == "" {
		return "atomicwrite (development build)"
	}
	if v := info.Main.Version; v != "(devel)" {
		return "atomicwrite " + v
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if rev == "" {
		return "atomicwrite (development build)"
	}
	return "atomicwrite (development build of " + rev[:min(12, len(rev))] + modified + ")"
}

// version is versionText of this binary.
func version() string {
	info, ok := debug.ReadBuildInfo()
	return strings.TrimSpace(versionText(info, ok))
}
