package io.nvmeq.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonWriterTest
{
    @Test
    void writesNestedObjectsAndArraysWithEscapedStrings()
    {
        final String json = new JsonWriter().beginObject()
            .field("sn", "a\"b\\c\n")
            .name("list").beginArray().beginObject().field("x", 1).endObject().beginObject().endObject().endArray()
            .field("n", -5)
            .endObject().toString();
        assertEquals("{\"sn\":\"a\\\"b\\\\c\\n\",\"list\":[{\"x\":1},{}],\"n\":-5}", json);
    }

    @Test
    void writesDoublesAsFioDoesAndNeverNaN()
    {
        final String json = new JsonWriter().beginObject()
            .field("iops", 31367.0).field("nan", Double.NaN).field("ok", true).endObject().toString();
        assertEquals("{\"iops\":31367.000000,\"nan\":0,\"ok\":true}", json);
    }
}
