"""The process's caches: bounded, emptied together, and the country averages kept for a minute."""
from bwadmin import caches


def test_every_cache_is_bounded_and_clear_all_empties_them_all():
    for n, cache in enumerate(caches.ALL):
        assert cache.maxsize <= 10_000
        cache[("key", n)] = n
    assert caches.decode_scalar('"yes"') == "yes" and caches.decode_scalar.cache_info().maxsize <= 10_000
    caches.clear_all()
    assert [len(cache) for cache in caches.ALL] == [0] * len(caches.ALL)
    assert caches.decode_scalar.cache_info().currsize == 0


def test_country_averages_are_computed_once_a_minute_per_country(app, monkeypatch):
    from bwadmin.services import portal

    computed = []
    monkeypatch.setattr(portal, "compute_country_averages", lambda country: computed.append(country) or {"osh": 0.5})
    assert portal.country_averages("Cambodia") == {"osh": 0.5}
    assert portal.country_averages("Cambodia") == {"osh": 0.5}
    assert portal.country_averages("Vietnam") == {"osh": 0.5}
    assert computed == ["Cambodia", "Vietnam"]
    cache = caches.country_averages
    cache.expire(cache.timer() + 61)  # a minute on
    portal.country_averages("Cambodia")
    assert computed == ["Cambodia", "Vietnam", "Cambodia"]
