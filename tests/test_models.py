"""Domain model validation: bad input is refused with an error naming the field."""

from __future__ import annotations

import pydantic
import pytest

from annobridge import Assignment, Job, JobSpec, JobStatus, LabelSchema, ObjectClass, Project, StorageSpec, TagSpec


def _field_names(exc: pydantic.ValidationError) -> set[str]:
    return {".".join(str(p) for p in err["loc"]) for err in exc.errors()}


def test_unknown_status_string_names_the_field():
    with pytest.raises(pydantic.ValidationError) as exc:
        Job(id=1, name="j", status="finished")
    assert "status" in _field_names(exc.value)
    assert "finished" in str(exc.value)


def test_status_accepts_its_string_values():
    assert Job(id=1, name="j", status="on_review").status is JobStatus.ON_REVIEW


@pytest.mark.parametrize("field", ["objects_limit_per_item", "tags_limit_per_item"])
def test_negative_limits_name_the_field(field):
    with pytest.raises(pydantic.ValidationError) as exc:
        JobSpec(name="j", project_id=1, **{field: -1})
    assert field in _field_names(exc.value)


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_names_are_refused(name):
    with pytest.raises(pydantic.ValidationError) as exc:
        JobSpec(name=name, project_id=1)
    assert "name" in _field_names(exc.value)


def test_a_job_spec_needs_somewhere_to_live():
    with pytest.raises(pydantic.ValidationError, match="project_id or label_schema"):
        JobSpec(name="orphan")


def test_duplicate_annotators_are_refused():
    with pytest.raises(pydantic.ValidationError, match="duplicate users"):
        JobSpec(name="j", project_id=1, annotators=[3, 3])


def test_item_range_must_be_ordered():
    with pytest.raises(pydantic.ValidationError) as exc:
        JobSpec(name="j", project_id=1, item_range=(5, 1))
    assert "item_range" in _field_names(exc.value)


def test_unknown_fields_are_refused():
    with pytest.raises(pydantic.ValidationError) as exc:
        JobSpec(name="j", project_id=1, reviewr=3)
    assert "reviewr" in _field_names(exc.value)


def test_assignments_are_hashable_values():
    assert len({Assignment(item_id=1, user_id=2), Assignment(item_id=1, user_id=2)}) == 1


def test_storage_spec_needs_its_location_and_hides_credentials():
    with pytest.raises(pydantic.ValidationError, match="s3 storage needs bucket"):
        StorageSpec(kind="s3")
    spec = StorageSpec(kind="s3", bucket="b", credentials={"aws_secret_access_key": "hunter2"})
    assert "hunter2" not in repr(spec) and "hunter2" not in spec.model_dump_json()


def test_schema_refuses_duplicates_and_unknown_classes():
    lemon = ObjectClass(name="lemon", shape="mask")
    with pytest.raises(pydantic.ValidationError, match="duplicate class names"):
        LabelSchema(classes=[lemon, lemon])
    with pytest.raises(pydantic.ValidationError, match="unknown classes"):
        LabelSchema(classes=[lemon], tags=[TagSpec(name="size", classes=["kiwi"])])


def test_tag_values_must_match_the_value_type():
    with pytest.raises(pydantic.ValidationError, match="oneof_string needs"):
        TagSpec(name="size", value_type="oneof_string")
    with pytest.raises(pydantic.ValidationError, match="only allowed for oneof_string"):
        TagSpec(name="size", value_type="any_string", values=["a"])


def test_bad_colors_are_refused():
    with pytest.raises(pydantic.ValidationError) as exc:
        ObjectClass(name="lemon", shape="mask", color="yellow")
    assert "color" in _field_names(exc.value)


def test_a_job_spec_holds_no_vendor_fields():
    for vendor_field in ("dataset_id", "dynamic_classes", "sampling", "show_skip_button", "maximum_annotations"):
        assert vendor_field not in JobSpec.model_fields
    for vendor_field in ("dataset_id", "team_id", "workspace_id", "workspace_name"):
        assert vendor_field not in Job.model_fields
    assert "team_id" not in Project.model_fields


def test_another_vendors_options_are_refused_naming_both():
    from annobridge.errors import ValidationError
    from annobridge.models import ProviderOptions, options_for

    class Mine(ProviderOptions):
        provider = "mine"

    class Theirs(ProviderOptions):
        provider = "theirs"
        colour: str = "red"

    spec = JobSpec(name="j", project_id=1, options=Theirs(colour="blue"))
    assert spec.model_dump()["options"] == {"colour": "blue"}  # the subclass's fields, not the base's
    with pytest.raises(ValidationError, match=r"options: Theirs is for theirs; mine \(mine://x\) takes Mine"):
        options_for(spec.options, Mine, "mine (mine://x)")
    assert options_for(None, Mine, "mine (mine://x)") == Mine()
