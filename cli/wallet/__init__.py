"""The wallet: an encrypted keystore and the tx file format, with no click inside."""
