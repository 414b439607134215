package main

import "syscall"

// dieWithParent has the kernel kill a replica if the harness itself is killed, so a
// SIGKILLed harness leaves no watchdog behind.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
