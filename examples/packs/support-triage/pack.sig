{
  "format": "duro-pack-signature/1",
  "algorithm": "ed25519",
  "keyId": "ed25519:99b5879e708a7fc2",
  "publicKey": "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAo26MWz8ifolBjanBXGH/b44/cqa1wy4nwTks5kdhiIo=\n-----END PUBLIC KEY-----\n",
  "manifest": "sha256:e2f26bbabf3b128505e12d420a6d0af0be18dafa531a78b4f44f26caeff1ca39",
  "signature": "aYdZO+Pg6Z5FTnn/Vn8wqE2cHmOWw5VOuj+Eot+RlCNJcXD1ZXZIFXo4kdDmgQ6XOWB5ssU+G51RH7ZiQNnIBA=="
}
