;; envelope: a WASI preview 2 component (world duro:component/component in ../wit/world.wit) whose run export
;; returns {"ok":true,"via":"wasi-p2","data":<input>}. It imports nothing, so it needs no capabilities.
;; Rebuild envelope.wasm with `npm run build:wasm` (jco's wasm-tools: parse, embed the WIT, component new).
(module
  (memory (export "memory") 1)
  ;; 0..12: run's return area (result tag, string pointer, string length); 16: the prefix; 1024..: the heap
  (data (i32.const 16) "{\"ok\":true,\"via\":\"wasi-p2\",\"data\":")
  (global $heap (mut i32) (i32.const 1024))
  ;; A bump allocator: each call runs in a fresh instance, so nothing is ever freed.
  (func $alloc (param $align i32) (param $size i32) (result i32)
    (local $ptr i32)
    (local $need i32)
    (local.set $ptr
      (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
               (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (local.set $need (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
    (if (i32.gt_s (local.get $need) (i32.const 0))
      (then
        (if (i32.eq (memory.grow (i32.add (i32.shr_u (local.get $need) (i32.const 16)) (i32.const 1))) (i32.const -1))
          (then unreachable))))
    (local.get $ptr))
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (call $alloc (local.get $align) (local.get $size)))
  ;; run(input) -> ok(prefix ++ input ++ "}")
  (func (export "run") (param $input i32) (param $length i32) (result i32)
    (local $out i32)
    (local.set $out (call $alloc (i32.const 1) (i32.add (local.get $length) (i32.const 35))))
    (memory.copy (local.get $out) (i32.const 16) (i32.const 34))
    (memory.copy (i32.add (local.get $out) (i32.const 34)) (local.get $input) (local.get $length))
    (i32.store8 (i32.add (local.get $out) (i32.add (local.get $length) (i32.const 34))) (i32.const 125))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (local.get $out))
    (i32.store (i32.const 8) (i32.add (local.get $length) (i32.const 35)))
    (i32.const 0)))
