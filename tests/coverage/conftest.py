from tests.sampling.conftest import campaign, today_round  # noqa: F401  (shared fixtures)
