package commands

// securityDesk returns the device, log and domain/IP commands. (Being written.)
func securityDesk(d Deps) []*Command { return nil }
