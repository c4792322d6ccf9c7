//go:build linux || aix || solaris || illumos

package main

import "golang.org/x/sys/unix"

const ioctlReadTermios = unix.TCGETS
