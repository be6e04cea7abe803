-- Numeric search and sort cast text values (params, tags, metadata) with earlybert_to_float8. Its first form cast
-- any number-shaped text, so one stored value beyond double precision ('1e999', a 400-digit integer, '1e-400') made
-- every later numeric search over that key fail. Now short values with small exponents (always in range) are cast
-- directly, as before; the rare rest go through earlybert_to_float8_wide, which maps overflow to ±Infinity and
-- underflow to ±0, so no stored value can make a search fail.

CREATE FUNCTION earlybert_to_float8_wide(value text) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    parts text[];
    digits text;
    magnitude numeric;
BEGIN
    RETURN value::double precision;
EXCEPTION WHEN numeric_value_out_of_range OR invalid_text_representation THEN
    parts := regexp_match(lower(btrim(value)), '^([+-]?)([0-9]*)\.?([0-9]*)(?:e([+-]?[0-9]+))?$');
    IF parts IS NULL THEN
        RETURN NULL;
    END IF;
    digits := ltrim(parts[2] || parts[3], '0');
    IF digits = '' THEN
        RETURN 0;
    END IF;
    -- The decimal exponent of the leading digit decides: far above zero overflows, far below underflows.
    magnitude := coalesce(parts[4], '0')::numeric + length(ltrim(parts[2], '0'))
        - CASE WHEN ltrim(parts[2], '0') = '' THEN length(parts[3]) - length(ltrim(parts[3], '0')) ELSE 0 END;
    RETURN CASE WHEN parts[1] = '-' THEN -1 ELSE 1 END
        * CASE WHEN magnitude > 0 THEN 'Infinity'::double precision ELSE 0 END;
END
$$;

CREATE OR REPLACE FUNCTION earlybert_to_float8(value text) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE
        WHEN value ~ '^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$' THEN
            CASE
                -- At most 40 characters and an exponent of at most two digits: within ±1e142, always castable.
                WHEN length(value) <= 40 AND length(ltrim(split_part(lower(value), 'e', 2), ' +-0')) <= 2 THEN value::double precision
                ELSE earlybert_to_float8_wide(value)
            END
        WHEN lower(btrim(value)) IN ('nan', 'infinity', '+infinity', '-infinity', 'inf', '+inf', '-inf') THEN value::double precision
    END;
