package prism

import "syscall"

// pdeathsig has Linux kill Prism when the test binary dies without calling
// Stop (a panic, a -timeout): no node process outlives the tests.
func pdeathsig(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
