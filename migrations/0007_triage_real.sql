-- A person may mark a field `real`: it counts as a real difference whatever noise an earlier run
-- of the same service taught (noise memory across runs).
ALTER TABLE field_triage DROP CONSTRAINT field_triage_state_check;
ALTER TABLE field_triage ADD CONSTRAINT field_triage_state_check CHECK (state IN ('noise', 'expected', 'real'));
