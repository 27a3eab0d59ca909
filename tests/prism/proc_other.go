//go:build !unix

package prism

import "os/exec"

func setProcessGroup(*exec.Cmd) {}

// signalGroup kills the process; without process groups its children may
// survive.
func signalGroup(cmd *exec.Cmd, _ bool) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
