;; envelope: a WASI component that reads its JSON input on stdin and writes {"ok":true,"data":<input>}
;; on stdout. It asks for no capabilities. Rebuild envelope.wasm with `npm run build:wasm`.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)
  ;; 0..8: one iovec; 8..12: bytes read or written; 16: the prefix; 64: the suffix; 1024..: the input
  (data (i32.const 16) "{\"ok\":true,\"data\":")
  (data (i32.const 64) "}\n")
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))
      (then (call $proc_exit (i32.const 1)))))
  (func (export "_start")
    (local $end i32)
    (local $n i32)
    (local.set $end (i32.const 1024))
    (block $done
      (loop $read
        (i32.store (i32.const 0) (local.get $end))
        (i32.store (i32.const 4) (i32.sub (i32.const 131072) (local.get $end)))
        (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))
          (then (call $proc_exit (i32.const 2))))
        (local.set $n (i32.load (i32.const 8)))
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $end (i32.add (local.get $end) (local.get $n)))
        (br_if $done (i32.ge_u (local.get $end) (i32.const 131072)))
        (br $read)))
    ;; input that fills the whole buffer would be cut: refuse it rather than write broken JSON
    (if (i32.ge_u (local.get $end) (i32.const 131072)) (then (call $proc_exit (i32.const 3))))
    (call $write (i32.const 16) (i32.const 18))
    (call $write (i32.const 1024) (i32.sub (local.get $end) (i32.const 1024)))
    (call $write (i32.const 64) (i32.const 2))))
