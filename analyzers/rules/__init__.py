"""Rules, one module per rule or small family, grouped by language family."""

from .base import Explanation, Rule, all_rules, get_rule, register, rules_for

__all__ = ["Explanation", "Rule", "all_rules", "get_rule", "register", "rules_for"]
