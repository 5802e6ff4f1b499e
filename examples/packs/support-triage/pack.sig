{
  "format": "duro-pack-signature/1",
  "algorithm": "ed25519",
  "keyId": "ed25519:4507876effdca4de",
  "publicKey": "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEArtMkZo3n3sGgcm1J7GKy+MlPhuK0GZVtkubNmwV+PwU=\n-----END PUBLIC KEY-----\n",
  "manifest": "sha256:5c3d8aeaa370f7bd029ca7ee37feeba3d2b5c1a5e8b0b85611c43f6548e5d394",
  "signature": "Uqxj17JzAQjLq9lRqkZQwhU8c8lQGODnBQAgTIiZ5D7unnkEIzapQRQ/6Rkw2FF+ZUmT2Yn2QGb7bFVbV2RCAQ=="
}
