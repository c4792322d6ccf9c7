package main

import (
	"runtime/debug"
	"testing"
)

// --version reports the module version a binary was built at, and says
// when it is a development build, with its commit where the build
// recorded one.
func TestVersionText(t *testing.T) {
	build := func(v string, settings ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{Main: debug.Module{Path: "github.com/atomicwrite/atomicwrite", Version: v}}
		for i := 0; i+1 < len(settings); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return info
	}
	for _, tt := range []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"go install at a tag", build("v1.2.3"), true, "atomicwrite v1.2.3"},
		{"go install at a pseudo-version", build("v0.0.0-20261204120000-0123456789ab"), true, "atomicwrite v0.0.0-20261204120000-0123456789ab"},
		{"a checkout with its commit", build("(devel)", "vcs.revision", "0123456789abcdef0123", "vcs.modified", "false"), true, "atomicwrite (development build of 0123456789ab)"},
		{"a modified checkout", build("(devel)", "vcs.revision", "0123456789abcdef0123", "vcs.modified", "true"), true, "atomicwrite (development build of 0123456789ab, modified)"},
		{"a checkout without version control", build("(devel)"), true, "atomicwrite (development build)"},
		{"no build information", nil, false, "atomicwrite (development build)"},
	} {
		if got := versionText(tt.info, tt.ok); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
