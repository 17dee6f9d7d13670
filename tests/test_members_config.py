"""[orders] and [points] refuse what they cannot honour, naming the key."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import config_from
from bot.errors import ConfigError

LEVELS = [{"name": "柚芽", "min": 0}, {"name": "金柚", "min": 500}]


@pytest.mark.parametrize("section,values,key", [
    ("orders", {"secret": "short"}, "orders.secret"),
    ("orders", {"timestamp_window_s": 0}, "orders.timestamp_window_s"),
    ("orders", {"buyers": ["tmall:lin"]}, "orders.buyers"),
    ("orders", {"channels": []}, "orders.channels"),
    ("points", {"levels": LEVELS, "rewards": [{"key": "kit", "name": "小样", "cost": 0, "stock": 1}]},
     "points.rewards[0].cost"),
    ("points", {"levels": LEVELS, "rewards": [{"key": "kit", "name": "小样", "cost": 5, "stock": 1,
                                                "min_level": "钻石"}]}, "points.rewards[0].min_level"),
    ("points", {"rewards": [{"key": "kit", "name": "a", "cost": 5, "stock": 1},
                            {"key": "kit", "name": "b", "cost": 5, "stock": 1}]}, "points.rewards[1].key"),
    ("points", {"levels": LEVELS, "advisor_from_level": "钻石"}, "points.advisor_from_level"),
    ("points", {"levels": LEVELS, "gift_levels": ["钻石"]}, "points.gift_levels"),
    ("points", {"review": "02-30"}, "points.review"),
    ("points", {"per_yuan": -1}, "points.per_yuan"),
    ("points", {"levels": [{"name": "金柚", "min": 0, "tags": ["金柚"]}]}, "points.levels[0].tags"),
])
def test_bad_member_settings_name_the_key(section: str, values: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as error:
        config_from({section: values}, {})
    assert str(error.value).startswith(key), str(error.value)


def test_the_orders_secret_comes_from_the_environment() -> None:
    config = config_from({}, {"WANZI_ORDERS__SECRET": "from-the-environment-0001"})
    from handlers.orders.config import OrdersConfig

    assert config.of(OrdersConfig).secret == "from-the-environment-0001"
