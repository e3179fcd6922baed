-- Applied by scripts/with-oidc.sh to the fresh SQLite database (after the schema shipped by Debian's
-- glewlwyd package, which already holds the user 'admin' with password 'password'), before
-- glewlwyd starts. Users, clients and the OIDC plugin instances are added afterwards through the
-- admin REST API, which hashes passwords and validates the plugin parameters.

-- The two API scopes. With the password grant, Glewlwyd puts the granted scope list in the access
-- token's "aud" claim, so a token requested for the single scope 'loanrisk-api' has
-- "aud": "loanrisk-api". No extra authentication scheme: the password alone grants them.
INSERT INTO g_scope (gs_name, gs_display_name, gs_description, gs_password_required, gs_password_max_age)
  VALUES ('loanrisk-api', 'loanrisk API', 'Audience of the tokens the loanrisk server accepts', 1, 0);
INSERT INTO g_scope (gs_name, gs_display_name, gs_description, gs_password_required, gs_password_max_age)
  VALUES ('other-api', 'Another API', 'A different audience, for tokens loanrisk must refuse', 1, 0);

-- The database user backend only stores properties listed in its "data-format": add 'roles'
-- (multi-valued; the OIDC plugin copies it into the access token, see tests/oidc/plugin-oidc.json).
-- Its password hash is PBKDF2 with 150000 rounds by default, which costs ~0.2 s of CPU for every
-- user created and every password grant; 1000 rounds are plenty for throwaway test users.
UPDATE g_user_module_instance
  SET gumi_parameters = json_set(gumi_parameters, '$."data-format".roles',
      json('{"multiple":true,"read":true,"write":true,"profile-read":true,"profile-write":false}'),
      '$."pbkdf2-iterations"', 1000)
  WHERE gumi_name = 'database';

-- Likewise for clients: 'access_token_signing_alg' lets one client ask for ES256 access tokens
-- (the plugin then signs with the first EC key of its JWKS instead of the first RSA key).
UPDATE g_client_module_instance
  SET gcmi_parameters = json_set(gcmi_parameters, '$."data-format".access_token_signing_alg',
      json('{"multiple":false,"read":true,"write":true}'))
  WHERE gcmi_name = 'database';
