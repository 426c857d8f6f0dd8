//go:build !cgo

package needcgo

// This does not compile, on purpose: the error names what to do.
var _ = The_bot_needs_cgo__install_gcc_then_build_again_with_CGO_ENABLED_1
