"""The care rules: the catalogue of numbered rules and the checks that apply them."""

from follicle.care.rules.catalogue import RULE_IDS, RULES, Rule, rule

__all__ = ["RULES", "RULE_IDS", "Rule", "rule"]
