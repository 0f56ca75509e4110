-- Medication requests with their medication's code resolved, whichever way the request carries it:
-- medicationCodeableConcept or a contained Medication (already in view.medication_request), else the
-- Medication resource it references (view.medication, same source). One row per request.
-- A SQL view: build-views runs it after the ViewDefinitions, read-only, over the view tables (issue 25).
SELECT
  r.id,
  r.patient_id,
  r.encounter_id,
  r.status,
  r.intent,
  r.authored_on,
  CASE WHEN r.medication_code IS NOT NULL THEN r.medication_source
       WHEN m.code IS NOT NULL THEN 'reference' END AS medication_resolved_from,
  r.medication_id,
  coalesce(r.medication_system, m.code_system) AS medication_system,
  coalesce(r.medication_code, m.code) AS medication_code,
  coalesce(r.medication_display, m.code_display, m.code_text) AS medication_display,
  r._source
FROM view.medication_request r
LEFT JOIN view.medication m ON m.id = r.medication_id AND m._source = r._source
