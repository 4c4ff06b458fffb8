"""The process's caches: bounded, emptied together, and the country shares kept for a minute."""
from bwadmin import caches


def test_every_cache_is_bounded_and_clear_all_empties_them_all():
    for n, cache in enumerate(caches.ALL):
        assert cache.maxsize <= 10_000
        cache[("key", n)] = n
    assert caches.decode_scalar('"yes"') == "yes" and caches.decode_scalar.cache_info().maxsize <= 10_000
    caches.clear_all()
    assert [len(cache) for cache in caches.ALL] == [0] * len(caches.ALL)
    assert caches.decode_scalar.cache_info().currsize == 0


def test_country_shares_are_computed_once_a_minute_per_country(app, monkeypatch):
    from bwadmin.services import country_shares

    computed = []

    def compute(country, now=None):
        computed.append(country)
        return country_shares.Shares(country, None, {})

    monkeypatch.setattr(country_shares, "compute", compute)
    assert country_shares.shares("Cambodia").country == "Cambodia"
    country_shares.shares("cambodia")  # a country is one, however it is written
    country_shares.shares("Vietnam")
    assert computed == ["Cambodia", "Vietnam"]
    cache = caches.country_shares
    cache.expire(cache.timer() + 61)  # a minute on
    country_shares.shares("Cambodia")
    assert computed == ["Cambodia", "Vietnam", "Cambodia"]
