"""The provider return in plain words: every table, column and coded value has its words."""

from __future__ import annotations

from audits import spec, vocabulary


def test_every_table_column_and_code_of_the_contract_has_plain_words():
    for table in spec.RETURN_TABLES:
        counted = vocabulary.counted(table.name)
        assert counted.menu and counted.noun and counted.everyone
        assert set(vocabulary.FIELDS[table.name]) == set(table.column_names), table.name
        for column in table.columns:
            field = vocabulary.field_of(table.name, column.name)
            assert field.name, column.name
            assert "_" not in field.name, column.name  # a label, not a column name
            if not field.menu:
                continue
            if column.type == spec.BOOLEAN:
                assert field.yes and field.no, column.name
            if column.codes:
                assert set(field.codes) == set(column.codes), column.name
                assert field.phrases or field.is_, column.name
                if field.phrases:
                    assert set(field.phrases) == set(column.codes), column.name
            if column.type == spec.DATE:
                assert field.event and field.did, column.name


def test_menus_leave_out_reference_numbers_and_keep_the_contract_order():
    assert vocabulary.menu_columns("workforce") == ["role", "paid", "fte", "lived_experience", "trauma_training_date"]
    assert vocabulary.menu_columns("sites", spec.BOOLEAN)[0] == "private_waiting_area"


def test_dates_kept_inside_the_quarter_are_said_as_this_quarter():
    assert vocabulary.ends_by_quarter_end("episodes", "referral_date")
    assert vocabulary.ends_by_quarter_end("contacts", "contact_date")
    assert not vocabulary.ends_by_quarter_end("episodes", "first_intervention_date")
