//go:build unix && !linux

package prism

import "syscall"

func pdeathsig(*syscall.SysProcAttr) {}
