package dev.cronhook.api.script;

import java.math.BigInteger;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.std.StdDeserializer;

/**
 * Reads a JSON integer and nothing else: a fraction or a string is a wrong type (400 on the field), where Jackson
 * by default would truncate {@code 2.5} to 2 or parse {@code "2"}.
 */
public class WholeNumberDeserializer extends StdDeserializer<Integer> {

    public WholeNumberDeserializer() {
        super(Integer.class);
    }

    @Override
    public Integer deserialize(JsonParser p, DeserializationContext ctxt) {
        if (!p.hasToken(JsonToken.VALUE_NUMBER_INT)) return (Integer) ctxt.handleUnexpectedToken(Integer.class, p);
        if (p.getNumberType() == JsonParser.NumberType.INT) return p.getIntValue();
        // beyond int: clamp, so that the range check names the field and its bounds instead of a parse error
        return p.getBigIntegerValue().compareTo(BigInteger.ZERO) < 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE;
    }
}
