-- A checkpoint signing key wrapped by a master key that is no longer the current one is retired
-- (active = false) and a new key is created under the current master; the retired key's public
-- half stays, so its checkpoints still verify. The application may change that flag and nothing
-- else of a key.
GRANT UPDATE (active) ON checkpoint_signing_keys TO caseledger_app;
