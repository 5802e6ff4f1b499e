{
  "format": "duro-pack-signature/1",
  "algorithm": "ed25519",
  "keyId": "ed25519:65eb435814aecedd",
  "publicKey": "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAr5cP8Vc6G4rzdYfyhtZ6RJYSK6qA9qf7NVYtS8Tui1Y=\n-----END PUBLIC KEY-----\n",
  "manifest": "sha256:6c81ab2d7bdfbbdeb7f0de2455377f3608029f12ed716e6d74bd3d3099a733f4",
  "signature": "EiNUjRWVbsM+HwkQAQfiCcmXXYx/sVV/neAxRXA/s4hqybQfJYL1R3nyrW6DLoc/Mjb6fI5AoFln3PKwCgVgCg=="
}
