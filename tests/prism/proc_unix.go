//go:build unix

package prism

import (
	"os/exec"
	"syscall"
)

// setProcessGroup starts cmd in a process group of its own, so that Stop
// can end it and anything it started (node, a wrapper script's children)
// together; on Linux the kernel also kills it if the test binary dies
// first (see pdeathsig).
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pdeathsig(cmd.SysProcAttr)
}

// signalGroup sends SIGTERM (or SIGKILL) to cmd's process group.
func signalGroup(cmd *exec.Cmd, kill bool) {
	if cmd.Process == nil {
		return
	}
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig) // ESRCH: already gone
}
