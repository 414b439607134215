//go:build !linux

package main

import "syscall"

// dieWithParent has no portable equivalent outside Linux; there, replicas outlive a
// harness that is killed outright (an interrupted one still stops them).
func dieWithParent() *syscall.SysProcAttr { return nil }
